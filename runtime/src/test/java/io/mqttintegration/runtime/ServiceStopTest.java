package io.mqttintegration.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stopped service leaves no thread of its HTTP server behind (Karaf restarts it on every configuration change). */
class ServiceStopTest {

    @TempDir
    Path work;

    static long vertxThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith("vert.x-")).count();
    }

    @Test
    void stoppingTheServiceEndsItsVertxThreads() throws Exception {
        long before = vertxThreads();
        RuntimeHarness service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of());
        assertEquals(200, service.send("GET", "/health", null, null).statusCode());
        assertTrue(vertxThreads() > before, "the HTTP server runs on Vert.x threads");

        service.close();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (vertxThreads() > before && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        assertEquals(before, vertxThreads(), "Vert.x threads left after the service stopped");
    }

    @Test
    void requestsInFlightWhileTheServiceStopsGet202Or503NeverA500() throws Exception {
        javax.sql.DataSource db = TestDatabase.newDatabase();
        RuntimeHarness service = RuntimeHarness.start(db, work, Map.of()).withIngestKey();
        java.util.Map<Integer, java.util.concurrent.atomic.AtomicInteger> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.List<String> unexpected = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(200);
        for (int c = 0; c < 8; c++) {
            clients.submit(() -> {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < until) {
                    try {
                        var r = service.postJson("/api/v1/ingest", "{\"topic\":\"s/devices/a/t\",\"payload\":{\"v\":1}}");
                        statuses.computeIfAbsent(r.statusCode(), k -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet();
                        if (r.statusCode() != 202 && r.statusCode() != 503) {
                            unexpected.add(r.statusCode() + " " + r.body());
                        }
                        answered.countDown();
                    } catch (java.io.IOException e) {
                        if (!stopping.get()) {
                            unexpected.add("before the stop: " + e);
                        }
                        return null; // the listener is gone: nothing more to ask
                    }
                }
                return null;
            });
        }
        assertTrue(answered.await(60, TimeUnit.SECONDS), "load under way: " + statuses + ", " + unexpected);
        stopping.set(true);
        service.close();
        clients.shutdown();
        assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS));
        System.out.println("answers while the service stopped: " + statuses);
        assertTrue(unexpected.isEmpty(), "only 202 or 503 (or a closed connection once stopping): " + unexpected);
        assertEquals(statuses.get(202).get(), (int) Rows.count(db, "SELECT count(*) FROM mqtt_messages"),
                "every message answered 202 is stored");
    }
}
