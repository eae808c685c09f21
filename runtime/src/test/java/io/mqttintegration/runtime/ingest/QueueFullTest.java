package io.mqttintegration.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bounded queue: a request that does not fit gets 503 and nothing of it is queued. */
class QueueFullTest {

    @TempDir
    Path work;

    private static String messages(int n) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            body.append(i == 0 ? "" : ",").append("{\"topic\":\"q/devices/d/t\",\"payload\":{\"i\":").append(i).append("}}");
        }
        return body.append("]").toString();
    }

    @Test
    void aFullQueueAnswers503WithRetryAfterAndLosesNothingAccepted() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of("ingest.queue.size", "3", "ingest.writers", "1"))
                .withIngestKey()) {
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch gate = new CountDownLatch(1);
            // Hold the pipeline's one writer once it has taken its batch, so the queue fills up.
            AdviceWith.adviceWith(service.runtime.camelContext(), "ingest-pipeline", a -> a.weaveById("drain").after().process(e -> {
                held.countDown();
                gate.await(30, TimeUnit.SECONDS);
            }));
            IngestQueue queue = service.runtime.camelContext().getRegistry().lookupByNameAndType("ingestQueue", IngestQueue.class);

            CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> post(service, messages(1)));
            assertTrue(held.await(10, TimeUnit.SECONDS), "the consumer took the first message and holds it");
            CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() -> post(service, messages(3)));
            awaitDepth(queue, 3);

            HttpResponse<String> refused = service.postJson("/api/v1/ingest", messages(1));
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("\"queue_full\""), refused.body());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));

            gate.countDown();
            assertEquals(202, first.get(30, TimeUnit.SECONDS).statusCode());
            assertEquals(202, second.get(30, TimeUnit.SECONDS).statusCode());
            assertEquals(4, Rows.count(db, "SELECT count(*) FROM mqtt_messages"), "both accepted requests are stored, the refused one is not");
        }
    }

    private static HttpResponse<String> post(RuntimeHarness service, String body) {
        try {
            return service.postJson("/api/v1/ingest", body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits (bounded) until the queue holds n messages: one is held by the gated consumer. */
    private static void awaitDepth(IngestQueue queue, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (queue.depth() < n && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertEquals(n, queue.depth(), "the queue filled up");
    }
}
