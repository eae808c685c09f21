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
}
