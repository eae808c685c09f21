package io.mqttintegration.runtime.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stopped for 30 s while senders keep posting: every request in that window is answered
 * 503 (never a 202 for a message that is not stored, and no request hangs: the senders keep going),
 * the queue stays empty instead of growing, and ingestion resumes by itself once PostgreSQL is back.
 * How fast each 503 came and how soon the first 202 followed the restart are printed, not asserted
 * (a test asserts no time; the pool's {@code connectionTimeout} of 2 s bounds the wait by design).
 */
@Tag("reliability")
class DatabaseOutageUnderLoadTest {

    static final Duration OUTAGE = Duration.ofSeconds(Integer.getInteger("mqi.outage.seconds", 30));
    static final int SENDERS = 4;

    @TempDir
    Path work;

    record Answer(long sentAt, long millis, int status, String messageId) {
    }

    @Test
    void answers503DuringTheOutageAndResumesByItself() throws Exception {
        Path data = work.resolve("pg");
        int port = RuntimeHarness.freePort();
        EmbeddedDatabase postgres = EmbeddedDatabase.start(data, port, false);
        DataSource db = postgres.dataSource("postgres");
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of()).withIngestKey()) {
            ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                senders.submit(() -> {
                    for (int n = 0; running.get(); n++) {
                        String id = "s" + sender + "-" + n;
                        long start = System.nanoTime();
                        int status;
                        try {
                            HttpResponse<String> r = service.postJson("/api/v1/ingest", "{\"topic\":\"plant/devices/d" + sender
                                    + "/t\",\"messageId\":\"" + id + "\",\"payload\":{\"n\":" + n + "}}");
                            status = r.statusCode();
                        } catch (Exception e) {
                            status = -1;
                        }
                        long end = System.nanoTime();
                        answers.add(new Answer(start, TimeUnit.NANOSECONDS.toMillis(end - start), status, id));
                        if (status == 202) {
                            acknowledged.add(id);
                        } else {
                            TimeUnit.MILLISECONDS.sleep(50);
                        }
                    }
                    return null;
                });
            }
            TimeUnit.SECONDS.sleep(3);
            Runtime rt = Runtime.getRuntime();
            System.gc();
            long heapBefore = rt.totalMemory() - rt.freeMemory();

            postgres.close();
            long down = System.nanoTime();
            int maxDepth = 0;
            int samples = 0;
            int queuedSamples = 0;
            IngestQueue queue = service.runtime.camelContext().getRegistry().lookupByNameAndType("ingestQueue", IngestQueue.class);
            while (System.nanoTime() - down < OUTAGE.toNanos()) {
                int depth = queue.depth();
                maxDepth = Math.max(maxDepth, depth);
                samples++;
                queuedSamples += depth > 0 ? 1 : 0;
                TimeUnit.MILLISECONDS.sleep(100);
            }
            System.gc();
            long heapDown = rt.totalMemory() - rt.freeMemory();
            // PostgreSQL takes connections a moment before start() returns: the outage ends here.
            long restarting = System.nanoTime();
            postgres = EmbeddedDatabase.start(data, port, false);
            long up = System.nanoTime();
            // Until the first 202 of a request sent after the restart (the claim below), not a fixed while.
            await().atMost(Duration.ofSeconds(60)).until(() -> answers.stream().anyMatch(a -> a.status() == 202 && a.sentAt() >= up));
            running.set(false);
            senders.shutdown();
            assertTrue(senders.awaitTermination(60, TimeUnit.SECONDS));

            // Requests that started well inside the outage (not racing its start) and were answered
            // before the restart began (a CI run once saw a 202 from the instant between PostgreSQL
            // taking connections and start() returning).
            List<Answer> inOutage = new ArrayList<>();
            long firstAfter = Long.MAX_VALUE;
            for (Answer a : answers) {
                if (a.sentAt() > down + TimeUnit.MILLISECONDS.toNanos(500)
                        && a.sentAt() + TimeUnit.MILLISECONDS.toNanos(a.millis() + 1) < restarting) {
                    inOutage.add(a);
                }
                if (a.status() == 202 && a.sentAt() >= up) {
                    firstAfter = Math.min(firstAfter, a.sentAt() + TimeUnit.MILLISECONDS.toNanos(a.millis()));
                }
            }
            long slowest = inOutage.stream().mapToLong(Answer::millis).max().orElse(0);
            long resumedMs = TimeUnit.NANOSECONDS.toMillis(firstAfter - up);
            Set<String> stored = Rows.texts(db, "SELECT client_message_id FROM mqtt_messages");
            long rows = Rows.count(db, "SELECT count(*) FROM mqtt_messages");
            long lost = acknowledged.stream().filter(id -> !stored.contains(id)).count();
            System.out.printf("database down %d s under HTTP load: sent %d, acknowledged %d, stored %d, lost %d, duplicated %d; "
                    + "%d requests during the outage, all %s, slowest %d ms; first 202 %d ms after PostgreSQL returned; "
                    + "queue depth max %d, above 0 in %d of %d samples; heap %d MB before, %d MB during%n",
                    OUTAGE.toSeconds(), answers.size(), acknowledged.size(), stored.size(), lost, rows - stored.size(),
                    inOutage.size(), inOutage.stream().map(Answer::status).distinct().toList(), slowest, resumedMs, maxDepth,
                    queuedSamples, samples, heapBefore >> 20, heapDown >> 20);
            assertTrue(inOutage.size() > 50, "the senders kept sending during the outage");
            assertTrue(inOutage.stream().allMatch(a -> a.status() == 503), "every request during the outage: 503");
            assertTrue(firstAfter != Long.MAX_VALUE, "ingestion resumed by itself after PostgreSQL returned");
            assertEquals(0, lost, "no acknowledged message is missing");
            assertEquals(0, rows - stored.size(), "no duplicates");
            // Requests fail at once while the database is down; none waits in the queue for a commit
            // that cannot come (that would show in nearly every sample). A sample may still catch a
            // request in the instant between being queued and its writer failing it (seen: depth 1
            // once in a run, in CI on 58087a9 and locally).
            assertTrue(queuedSamples * 10 < samples, "nothing waits in the queue while the database is down: above 0 in "
                    + queuedSamples + " of " + samples + " samples, max " + maxDepth);
        } finally {
            postgres.close();
        }
    }
}
