package io.mqttintegration.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.runtime.internals.EventLoopHttpEngine;
import io.vertx.core.Vertx;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingestion route runs on the event loop ({@link EventLoopHttpEngine}), and so does its answer:
 * an answer that needs no database read is written while every Vert.x worker thread is busy (as
 * during a database outage, when API requests hold them), whole, with its Content-Length.
 */
class EventLoopAnswersTest {

    @TempDir
    static Path work;
    static RuntimeHarness service;

    @BeforeAll
    static void start() throws Exception {
        service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of("http.workerThreads", "1"));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void answersWithoutAWorkerThreadInOneBufferWithItsLength() throws Exception {
        Vertx vertx = service.runtime.camelContext().getRegistry().lookupByNameAndType("vertx", Vertx.class);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        vertx.executeBlocking(() -> {
            busy.countDown();
            return release.await(60, TimeUnit.SECONDS);
        }, false);
        assertEquals(true, busy.await(10, TimeUnit.SECONDS), "the only worker thread is taken");
        try {
            HttpRequest noKey = HttpRequest.newBuilder(service.uri("/api/v1/ingest"))
                    .timeout(Duration.ofSeconds(15)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"a/b\",\"payload\":{}}")).build();

            // Camel 4.14 sent a byte[] body through an InputStream read on a worker thread: with none
            // free, this answer never came (the client timed out).
            HttpResponse<String> response = HttpClient.newHttpClient().send(noKey, HttpResponse.BodyHandlers.ofString());

            assertEquals(401, response.statusCode(), response.body());
            assertEquals(String.valueOf(response.body().length()), response.headers().firstValue("Content-Length").orElse("none"));
            assertFalse(response.headers().firstValue("Transfer-Encoding").isPresent(), "not chunked");
        } finally {
            release.countDown();
        }
    }
}
