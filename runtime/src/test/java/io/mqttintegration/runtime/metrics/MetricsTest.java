package io.mqttintegration.runtime.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics: Prometheus text, operator only, and the message counters add up. */
class MetricsTest {

    @TempDir
    Path work;

    static long sum(String metrics, String name) {
        return (long) metrics.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** The value of the series named with its labels, e.g. {@code name{a="b"}}; -1 when absent. */
    static double value(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElse(-1);
    }

    @Test
    void countsEveryMessageFromTakenToItsOutcome() throws Exception {
        try (RuntimeHarness service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of()).withIngestKey()) {
            assertEquals(202, service.postJson("/api/v1/ingest", "[{\"topic\":\"p/devices/a/t\",\"payload\":{\"t\":1}},"
                    + "{\"topic\":\"p/devices/b/t\",\"payload\":{\"t\":2}},{\"topic\":\"p/devices/c/t\",\"payload\":\"not json\"}]")
                    .statusCode());
            HttpResponse<String> refusedRow = service.postJson("/api/v1/ingest", "{\"topic\":\"p/devices/d/t\",\"payload\":{\"t\":1e200000}}");
            assertEquals(202, refusedRow.statusCode(), refusedRow.body());
            assertEquals(400, service.postJson("/api/v1/ingest", "{\"topic\":\"p/#\",\"payload\":1}").statusCode());

            // A request is counted when Camel completes its exchange, which may come just after the
            // client has its answer: read until the last request shows (bounded), then check.
            await("the last request counted").atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> value(service.send("GET", "/metrics", RuntimeHarness.OPERATOR_KEY, null).body(),
                            "mqi_http_requests_total{route=\"http-ingest\",status=\"400\"}") == 1);
            HttpResponse<String> r = service.send("GET", "/metrics", RuntimeHarness.OPERATOR_KEY, null);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            String m = r.body();
            long received = sum(m, "mqi_messages_received_total");
            long stored = sum(m, "mqi_messages_stored_total");
            long dead = sum(m, "mqi_messages_dead_lettered_total");
            long failed = sum(m, "mqi_messages_failed_total");
            long inFlight = sum(m, "mqi_messages_in_flight");
            long dropped = sum(m, "mqi_messages_dropped_total");
            System.out.printf("metrics: received %d = stored %d + dead-lettered %d + failed %d + in flight %d + dropped %d%n",
                    received, stored, dead, failed, inFlight, dropped);
            m.lines().filter(l -> l.startsWith("mqi_messages") || l.startsWith("mqi_ingest") || l.startsWith("mqi_http_requests")
                    || l.startsWith("mqi_commit_seconds_count") || l.startsWith("mqi_batch_size_sum")).forEach(System.out::println);
            assertEquals(received, stored + dead + failed + inFlight + dropped, "the counters add up");
            assertEquals(4, received);
            assertEquals(1, dead, refusedRow.body());
            assertEquals(0, dropped);
            assertEquals(4, value(m, "mqi_messages_received_total{integration=\"" + service.integrationId + "\",source=\"http\"}"), m);
            assertEquals(2, value(m, "mqi_http_requests_total{route=\"http-ingest\",status=\"202\"}"), m);
            assertEquals(1, value(m, "mqi_http_requests_total{route=\"http-ingest\",status=\"400\"}"), m);
            assertEquals(10000, value(m, "mqi_ingest_queue_capacity"), m);
            assertTrue(m.contains("mqi_commit_seconds_count "), m);
            assertEquals(3, value(m, "mqi_http_request_seconds_bucket{route=\"http-ingest\",le=\"+Inf\"}"), m);
            // The storage as the start's maintenance saw it: today, 7 days ahead and the default partition.
            assertTrue(value(m, "mqi_storage_partitions") >= 3, "this month, the next and the default: " + m);
            assertTrue(value(m, "mqi_storage_bytes") > 0, "every partition's indexes take pages: " + m);
            assertEquals(0, value(m, "mqi_storage_default_partition_rows"), m);
            assertEquals(0, value(m, "mqi_retention_last_purge_timestamp_seconds"), "no purge yet (the first runs a minute after the start)");

            // Camel's route meters (RouteMetrics) are in the same registry; the route policy counts
            // an exchange when it is done, which may also come just after the answer.
            String httpIngest = "{camelContext=\"mqtt-integration\",eventType=\"route\",kind=\"CamelRoute\",routeId=\"http-ingest\"}";
            await("the route counted its three requests").atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> value(service.send("GET", "/metrics", RuntimeHarness.OPERATOR_KEY, null).body(),
                            "camel_exchanges_total" + httpIngest) == 3);
            String routes = service.send("GET", "/metrics", RuntimeHarness.OPERATOR_KEY, null).body();
            assertEquals(1, value(routes, "camel_exchanges_failures_handled_total" + httpIngest), "the 400, answered by http-errors: " + routes);
            assertEquals(0, value(routes, "camel_exchanges_failed_total" + httpIngest), routes);

            assertEquals(403, service.send("GET", "/metrics", service.ingestKey, null).statusCode(), "operator only");
            assertEquals(401, service.send("GET", "/metrics", null, null).statusCode());
        }
    }
}
