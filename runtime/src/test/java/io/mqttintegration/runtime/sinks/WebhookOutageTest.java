package io.mqttintegration.runtime.sinks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.storage.Tenancy;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A webhook receiver that is down for 60 s (its port closed: every delivery refused at once) while
 * ingestion goes on gets the whole backlog once it is back, each device's messages in the order they
 * were ingested, and none becomes a dead letter; the sink's backlog metric shows the backlog during
 * the outage and goes back to 0 after it.
 *
 * <p>Why the outage cannot exhaust the retries: {@code sinks.retryMaxSeconds = 2} caps the delay
 * between two attempts of a message at 2 s, each between 1 and 2 s once the doubling from
 * {@code sinks.retryBaseMillis = 50} reached it (after 6 attempts), so in 60 s a device's waiting
 * message is tried at most 6 + 60 = 66 times (its device's later messages wait without attempts);
 * the sink's {@code maxAttempts} of 500 is far above that. The cap also keeps the time from the
 * receiver's return to the next attempt of each device under 2 s.
 */
class WebhookOutageTest {

    static final int DEVICES = 5;
    static final int PER_BATCH = 20;
    /** Batches ingested while the receiver is down, one every 500 ms: the outage lasts as long as they, 60 s. */
    static final int OUTAGE_BATCHES = 120;

    @TempDir
    Path work;

    @Test
    void aReceiverDownForAMinuteGetsTheBacklogAfterwardsInOrderWithNoDeadLetter() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        ScheduledExecutorService ingestion = Executors.newSingleThreadScheduledExecutor();
        try (WebhookReceiver receiver = new WebhookReceiver();
                RuntimeHarness service = RuntimeHarness.start(db, work, Map.of("sinks.pollMillis", "20",
                        "sinks.retryBaseMillis", "50", "sinks.retryMaxSeconds", "2", "sinks.timeoutMillis", "5000")).withIngestKey()) {
            String sinks = "/api/v1/integrations/" + service.integrationId + "/sinks";
            HttpResponse<String> made = service.send("POST", sinks, service.adminKey, "{\"name\":\"erp\",\"kind\":\"webhook\","
                    + "\"maxAttempts\":500,\"body\":\"raw\",\"settings\":{\"url\":\"" + receiver.url("/in") + "\"}}");
            assertEquals(201, made.statusCode(), made.body());
            String sinkId = json(made.body()).path("id").asText();
            String secret = json(made.body()).path("signingSecret").asText();
            String at = sinks + "/" + sinkId;

            AtomicInteger next = new AtomicInteger();
            ingest(service, next, 10);
            await().atMost(Duration.ofSeconds(30)).until(() -> receiver.accepted().size() >= 10 * PER_BATCH);

            // Down for 60 s: a batch every 500 ms meanwhile, then the receiver is back.
            receiver.stop();
            AtomicInteger batches = new AtomicInteger();
            CompletableFuture<Void> outage = new CompletableFuture<>();
            ingestion.scheduleAtFixedRate(() -> {
                try {
                    if (batches.get() < OUTAGE_BATCHES) {
                        ingest(service, next, 1);
                        if (batches.incrementAndGet() == OUTAGE_BATCHES) {
                            outage.complete(null);
                        }
                    }
                } catch (Throwable e) {
                    outage.completeExceptionally(e);
                }
            }, 500, 500, TimeUnit.MILLISECONDS);

            await().atMost(Duration.ofSeconds(50)).until(() -> backlogMetric(service, sinkId) > 0);
            long backlogSeen = backlogMetric(service, sinkId);
            JsonNode view = json(service.send("GET", at, service.adminKey, null).body());
            assertFalse(outage.isDone(), "the backlog metric showed the backlog while the receiver was down");
            assertTrue(view.path("backlog").path("messages").asLong() > 0 && view.path("backlog").path("retrying").asLong() > 0,
                    "the API's view of the sink shows the backlog, some of it waiting for a retry: " + view);
            outage.get(90, TimeUnit.SECONDS);
            int mostAttempts = mostAttempts(db, sinkId);
            long failedDuringOutage = counter(service, "mqi_sink_failed_total", sinkId);
            receiver.start();

            // Back: everything arrives, nothing was given up.
            int ingested = next.get();
            await().atMost(Duration.ofSeconds(60)).until(() -> receiver.accepted().stream().map(r -> r.header("X-MQI-Message-Id"))
                    .distinct().count() >= ingested);
            List<WebhookReceiver.Request> got = receiver.accepted();
            Map<String, Integer> copies = new HashMap<>();
            Map<String, List<Integer>> firstCopies = new LinkedHashMap<>();
            long now = Instant.now().getEpochSecond();
            for (WebhookReceiver.Request r : got) {
                assertTrue(SinkSignatures.verify(secret, r.header(SinkSignatures.HEADER), r.body(), now, 300), "signed");
                if (copies.merge(r.header("X-MQI-Message-Id"), 1, Integer::sum) == 1) {
                    firstCopies.computeIfAbsent(r.header("X-MQI-Device-Id"), d -> new ArrayList<>())
                            .add(json(new String(r.body(), StandardCharsets.UTF_8)).path("n").asInt());
                }
            }
            System.out.printf("webhook receiver down for %d batches of %d: %d messages ingested, a backlog of %d seen in the metric,"
                    + " %d failed deliveries, a message tried %d times at most; after it came back %d requests, %d distinct,"
                    + " %d received more than once%n", OUTAGE_BATCHES, PER_BATCH, ingested, backlogSeen, failedDuringOutage, mostAttempts,
                    got.size(), copies.size(), copies.values().stream().filter(c -> c > 1).count());
            assertEquals(ingested, copies.size(), "every message reached the receiver");
            assertEquals(DEVICES, firstCopies.size());
            firstCopies.forEach((device, n) -> assertEquals(n.stream().sorted().toList(), n, device + " in the order of ingestion"));
            assertTrue(failedDuringOutage > 0, "the outage was felt: deliveries failed and were retried");
            assertTrue(mostAttempts < 500, "the outage left maxAttempts unreached: " + mostAttempts);

            await().atMost(Duration.ofSeconds(30)).until(() -> backlogMetric(service, sinkId) == 0);
            JsonNode after = json(service.send("GET", at, service.adminKey, null).body());
            assertEquals(0, after.path("backlog").path("messages").asLong(), after.toString());
            assertEquals(0, json(service.send("GET", at + "/dead-letters", service.adminKey, null).body()).path("items").size(),
                    "no dead letter");
            assertEquals(0, counter(service, "mqi_sink_dead_lettered_total", sinkId));
        } finally {
            ingestion.shutdownNow();
        }
    }

    /** {@code count} batches of PER_BATCH messages, numbered on from {@code next}, device {@code d<n % DEVICES>}. */
    private static void ingest(RuntimeHarness service, AtomicInteger next, int count) throws Exception {
        for (int b = 0; b < count; b++) {
            StringBuilder batch = new StringBuilder("[");
            for (int k = 0; k < PER_BATCH; k++) {
                int n = next.getAndIncrement();
                batch.append(k == 0 ? "" : ",").append("{\"topic\":\"site/devices/d").append(n % DEVICES)
                        .append("/telemetry\",\"payload\":{\"deviceId\":\"d").append(n % DEVICES).append("\",\"n\":").append(n).append("}}");
            }
            HttpResponse<String> r = service.postJson("/api/v1/ingest", batch.append("]").toString());
            assertEquals(202, r.statusCode(), r.body());
        }
    }

    private static JsonNode json(String body) throws Exception {
        return Json.strict().readTree(body);
    }

    /** The sink's {@code mqi_sink_backlog_messages} in the Prometheus scrape (refreshed every 10 s); -1 when it has none. */
    private static long backlogMetric(RuntimeHarness service, String sinkId) throws Exception {
        return counter(service, "mqi_sink_backlog_messages", sinkId);
    }

    /** A figure of the sink in the Prometheus scrape; -1 when it has none (not delivered on this node). */
    private static long counter(RuntimeHarness service, String name, String sinkId) throws Exception {
        String scrape = service.send("GET", "/metrics", RuntimeHarness.OPERATOR_KEY, null).body();
        return scrape.lines().filter(l -> l.startsWith(name + "{") && l.contains("sink=\"" + sinkId + "\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(-1);
    }

    /** The most attempts any message in the sink's outbox has had so far. */
    private static int mostAttempts(DataSource db, String sinkId) {
        return new Tenancy(db).asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(attempts), 0) FROM sink_outbox WHERE sink_id = ?")) {
                ps.setObject(1, UUID.fromString(sinkId));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }
}
