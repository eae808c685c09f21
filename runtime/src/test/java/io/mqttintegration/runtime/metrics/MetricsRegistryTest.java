package io.mqttintegration.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.runtime.ingest.IngestMeters;
import io.mqttintegration.runtime.ingest.IngestQueue;
import io.mqttintegration.runtime.ingest.WriterTurns;
import io.mqttintegration.runtime.subscriptions.SubscriptionMeters;
import io.mqttintegration.runtime.subscriptions.SubscriptionStatus;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.StorageUnavailableException;
import io.mqttintegration.storage.StoreOutcome;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The meters without Camel: names, the message identity, histograms, subscription states, JVM meters. */
class MetricsRegistryTest {

    private static final UUID INTEGRATION = UUID.fromString("0193a5b2-7c1e-7abc-8def-0123456789ab");

    private static InboundMessage message(InboundMessage.Source source) {
        return new InboundMessage(source, "t", "{}".getBytes(StandardCharsets.UTF_8), "application/json", Instant.now(), null,
                INTEGRATION);
    }

    static double value(String metrics, String line) {
        return metrics.lines().filter(l -> l.startsWith(line + " ")).mapToDouble(l -> Double.parseDouble(l.substring(line.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no line " + line + " in\n" + metrics));
    }

    @Test
    void everyMessageIsCountedFromTakenToItsOutcome() {
        IngestQueue queue = new IngestQueue(null, "ingest", 10_000, 1000, new WriterTurns(200));
        try (Metrics metrics = new Metrics()) {
            IngestMeters.bind(metrics.registry(), queue);
            InboundMessage stored = metrics.received(message(InboundMessage.Source.HTTP));
            InboundMessage dead = metrics.received(message(InboundMessage.Source.HTTP));
            InboundMessage failed = metrics.received(message(InboundMessage.Source.HTTP));
            metrics.receivedAll(List.of(message(InboundMessage.Source.HTTP), message(InboundMessage.Source.MQTT)));
            stored.outcome().complete(StoreOutcome.STORED);
            dead.outcome().complete(StoreOutcome.DEAD_LETTERED);
            failed.outcome().completeExceptionally(new StorageUnavailableException("down", null));

            String m = metrics.render();

            String http = "{integration=\"" + INTEGRATION + "\",source=\"http\"}";
            assertEquals(4, value(m, "mqi_messages_received_total" + http), m);
            assertEquals(1, value(m, "mqi_messages_stored_total" + http));
            assertEquals(1, value(m, "mqi_messages_dead_lettered_total" + http));
            assertEquals(1, value(m, "mqi_messages_failed_total" + http));
            assertEquals(1, value(m, "mqi_messages_in_flight" + http));
            assertEquals(1, value(m, "mqi_messages_received_total{integration=\"" + INTEGRATION + "\",source=\"mqtt\"}"));
            assertEquals(0, value(m, "mqi_messages_dropped_total"));
            assertEquals(2, metrics.inFlight(), "one http and one mqtt message have no outcome yet");
            assertEquals(10_000, value(m, "mqi_ingest_queue_capacity"));
            assertEquals(0, value(m, "mqi_ingest_queue_depth"));
        }
    }

    @Test
    void batchesCommitsAndRequestsAreHistogramsWithTheShippedBuckets() {
        try (Metrics metrics = new Metrics()) {
            metrics.batch(1, 2);
            metrics.batch(40, 30);
            metrics.httpRequest("http-ingest", 202, 3);
            metrics.httpRequest("http-ingest", 400, 700);

            String m = metrics.render();

            assertEquals(2, metrics.batches());
            assertEquals(20.5, metrics.meanBatchSize());
            assertEquals(1, value(m, "mqi_batch_size_bucket{le=\"1.0\"}"), m);
            assertEquals(2, value(m, "mqi_batch_size_bucket{le=\"50.0\"}"));
            assertEquals(41, value(m, "mqi_batch_size_sum"));
            assertEquals(2, value(m, "mqi_commit_seconds_count"));
            assertEquals(0.032, value(m, "mqi_commit_seconds_sum"), 1e-9);
            assertEquals(1, value(m, "mqi_commit_seconds_bucket{le=\"0.0025\"}"));
            assertEquals(1, value(m, "mqi_http_requests_total{route=\"http-ingest\",status=\"202\"}"));
            assertEquals(1, value(m, "mqi_http_requests_total{route=\"http-ingest\",status=\"400\"}"));
            assertEquals(1, value(m, "mqi_http_request_seconds_bucket{route=\"http-ingest\",le=\"0.005\"}"));
            assertEquals(2, value(m, "mqi_http_request_seconds_bucket{route=\"http-ingest\",le=\"+Inf\"}"));
            assertTrue(m.contains("# TYPE mqi_batch_size histogram"), m);
            assertTrue(m.contains("jvm_memory_used_bytes{"), "the JVM's own meters too");
            assertTrue(m.contains("jvm_threads_live_threads "), m);
        }
    }

    @Test
    void eachSubscriptionShowsOneForItsStateAndGoesWhenItIsGone() {
        UUID one = UUID.randomUUID();
        Map<UUID, SubscriptionStatus>[] now = new Map[] {Map.of(one, SubscriptionStatus.stopped(List.of("a/#"), 1))};
        try (Metrics metrics = new Metrics()) {
            metrics.beforeScrape(new SubscriptionMeters(metrics.registry(), () -> now[0])::refresh);
            String m = metrics.render();
            assertEquals(1, value(m, "mqi_subscription_state{integration=\"" + one + "\",state=\"stopped\"}"), m);
            assertEquals(0, value(m, "mqi_subscription_state{integration=\"" + one + "\",state=\"connected\"}"));

            now[0] = Map.of();
            assertTrue(!metrics.render().contains(one.toString()), "a removed subscription leaves no series behind");
        }
    }
}
