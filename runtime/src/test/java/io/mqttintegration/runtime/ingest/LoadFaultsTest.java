package io.mqttintegration.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load faults on HTTP ingestion, scored by messageId: a graceful stop in the middle of the load
 * (the queue drains, every acknowledged message is stored), and overload (far more than the writer
 * takes: 503 with Retry-After instead of a growing queue, and no accepted message lost).
 */
@Tag("reliability")
class LoadFaultsTest {

    @TempDir
    Path work;

    /** Senders posting batches with messageIds until stopped; what was answered 202 is remembered. */
    static final class Senders {
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final AtomicLong refusedWithoutRetryAfter = new AtomicLong();
        final AtomicLong other = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final ExecutorService pool;

        Senders(RuntimeHarness service, int senders, int perRequest) {
            pool = Executors.newFixedThreadPool(senders);
            for (int s = 0; s < senders; s++) {
                int sender = s;
                pool.submit(() -> {
                    for (int r = 0; running.get(); r++) {
                        StringBuilder body = new StringBuilder("[");
                        String[] ids = new String[perRequest];
                        for (int m = 0; m < perRequest; m++) {
                            ids[m] = "s" + sender + "-" + r + "-" + m;
                            body.append(m == 0 ? "" : ",").append("{\"topic\":\"plant/devices/d").append(sender)
                                    .append("/t\",\"messageId\":\"").append(ids[m]).append("\",\"payload\":{\"v\":").append(m).append("}}");
                        }
                        sent.addAndGet(perRequest);
                        try {
                            HttpResponse<String> answer = service.postJson("/api/v1/ingest", body.append(']').toString());
                            if (answer.statusCode() == 202) {
                                acknowledged.addAll(Set.of(ids));
                            } else if (answer.statusCode() == 503) {
                                refused.incrementAndGet();
                                if (answer.headers().firstValue("Retry-After").isEmpty()) {
                                    refusedWithoutRetryAfter.incrementAndGet();
                                }
                            } else {
                                other.incrementAndGet();
                            }
                        } catch (Exception e) {
                            other.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
    }

    static Set<String> storedIds(DataSource db) {
        return Rows.texts(db, "SELECT client_message_id FROM mqtt_messages");
    }

    @Test
    void aGracefulStopUnderLoadDrainsTheQueueAndLosesNothing() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        RuntimeHarness service = RuntimeHarness.start(db, work, Map.of()).withIngestKey();
        Senders senders = new Senders(service, 8, 50);
        TimeUnit.SECONDS.sleep(3);
        service.close();
        senders.stop();
        Set<String> stored = storedIds(db);
        long lost = senders.acknowledged.stream().filter(id -> !stored.contains(id)).count();
        long rows = Rows.count(db, "SELECT count(*) FROM mqtt_messages");
        System.out.printf("graceful stop under load: sent %d, acknowledged %d, stored %d, lost %d, duplicated %d%n",
                senders.sent.get(), senders.acknowledged.size(), stored.size(), lost, rows - stored.size());
        assertTrue(senders.acknowledged.size() > 1000, "the load ran");
        assertEquals(0, lost);
        assertEquals(0, rows - stored.size());
    }

    @Test
    void overloadGets503WithRetryAfterAndLosesNoAcceptedMessage() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        // A small queue and slow batches, so that 16 senders of 500-message requests far exceed
        // what the writer takes.
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of("ingest.queue.size", "2000",
                "ingest.batch.size", "20")).withIngestKey()) {
            IngestQueue queue = service.runtime.camelContext().getRegistry().lookupByNameAndType("ingestQueue", IngestQueue.class);
            Senders senders = new Senders(service, 24, 500);
            int maxDepth = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Integer.getInteger("mqi.overload.seconds", 30));
            Runtime rt = Runtime.getRuntime();
            long maxHeap = 0;
            while (System.nanoTime() < end) {
                maxDepth = Math.max(maxDepth, queue.depth());
                maxHeap = Math.max(maxHeap, rt.totalMemory() - rt.freeMemory());
                TimeUnit.MILLISECONDS.sleep(50);
            }
            senders.stop();
            // Refused requests (a commit that took longer than ingest.commit.timeoutMs) may still be
            // committed after their 503: wait until nothing more is written.
            long last = -1;
            for (long now = Rows.count(db, "SELECT count(*) FROM mqtt_messages"); now != last;
                    now = Rows.count(db, "SELECT count(*) FROM mqtt_messages")) {
                last = now;
                TimeUnit.SECONDS.sleep(1);
            }
            Set<String> stored = storedIds(db);
            long lost = senders.acknowledged.stream().filter(id -> !stored.contains(id)).count();
            long rows = Rows.count(db, "SELECT count(*) FROM mqtt_messages");
            System.out.printf("overload: offered %.1f times what was stored; sent %d, acknowledged %d, stored %d, lost %d, duplicated %d; %d requests refused "
                    + "with 503 (%d without Retry-After), %d other answers; queue depth max %d of 2000; heap max %d MB%n",
                    (double) senders.sent.get() / stored.size(), senders.sent.get(), senders.acknowledged.size(), stored.size(), lost,
                    rows - stored.size(), senders.refused.get(), senders.refusedWithoutRetryAfter.get(), senders.other.get(), maxDepth,
                    maxHeap >> 20);
            assertTrue(senders.refused.get() > 0, "overload is refused with 503");
            assertEquals(0, senders.refusedWithoutRetryAfter.get(), "every 503 says when to retry");
            assertEquals(0, senders.other.get(), "nothing but 202 and 503");
            assertTrue(maxDepth <= 2000, "the queue limit holds");
            assertEquals(0, lost);
            assertEquals(0, rows - stored.size());
        }
    }
}
