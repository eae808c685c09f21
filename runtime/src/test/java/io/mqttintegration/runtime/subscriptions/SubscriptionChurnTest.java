package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tenant's subscribe/unsubscribe churn must not hold up another tenant's subscription, nor turn
 * the node's health down (issue 13, finding 3).
 */
class SubscriptionChurnTest {

    static final String TOPIC = "churn/+/telemetry";

    @TempDir
    Path work;
    MosquittoBroker broker;
    RuntimeHarness service;
    DataSource db;

    @BeforeEach
    void start() throws Exception {
        broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of("svc", "broker-pw"));
        db = TestDatabase.newDatabase();
        // Stopping a subscription waits this long for its messages in flight to be stored.
        service = RuntimeHarness.start(db, work, Map.of("ingest.commit.timeoutMs", "60000"));
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        broker.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    String integration(String admin) throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations", admin, "{\"name\":\"b\",\"settings\":{"
                + "\"host\":\"127.0.0.1\",\"port\":" + broker.port() + ",\"username\":\"svc\",\"password\":\"broker-pw\"}}");
        assertEquals(201, r.statusCode(), r.body());
        return json(r).path("id").asText();
    }

    HttpResponse<String> subscribe(String admin, String id) throws Exception {
        return service.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin, "{\"topics\":[\"" + TOPIC + "\"],\"qos\":1}");
    }

    String state(String admin, String id) throws Exception {
        return json(service.send("GET", "/api/v1/integrations/" + id, admin, null)).path("subscription").path("state").asText();
    }

    @Test
    void anotherTenantSubscribesWhileOneTenantsTeardownIsStuck() throws Exception {
        RuntimeHarness.Tenant a = service.createOrganization("tenant a");
        RuntimeHarness.Tenant b = service.createOrganization("tenant b");
        String idA = integration(a.adminKey());
        String idB = integration(b.adminKey());
        assertEquals(200, subscribe(a.adminKey(), idA).statusCode());
        SubscriptionTest.await("A connected", Duration.ofSeconds(30), () -> state(a.adminKey(), idA).equals("connected"));
        broker.subscribed(TOPIC);

        // A's teardown waits for A's message in flight to be stored; the test holds the table, so
        // the message stays in flight (and A's unsubscribe stays under way) until it lets go.
        try (Connection lock = db.getConnection()) {
            lock.setAutoCommit(false);
            try (Statement st = lock.createStatement()) {
                st.execute("LOCK TABLE mqtt_messages IN EXCLUSIVE MODE");
            }
            broker.publishLines("churn/d1/telemetry", List.of("{\"t\":1}"), 1, "svc", "broker-pw");
            String routeA = "mqtt-subscription-" + idA;
            SubscriptionTest.await("A's message in flight", Duration.ofSeconds(30),
                    () -> service.runtime.camelContext().getInflightRepository().size(routeA) > 0);

            long aStart = System.nanoTime();
            CompletableFuture<HttpResponse<String>> unsubscribeA = CompletableFuture.supplyAsync(() -> call(
                    () -> service.send("DELETE", "/api/v1/integrations/" + idA + "/subscribe", a.adminKey(), null)));
            SubscriptionTest.await("A's teardown under way", Duration.ofSeconds(30),
                    () -> service.runtime.subscriptions().running(java.util.UUID.fromString(idA)).isEmpty());

            long bStart = System.nanoTime();
            CompletableFuture<HttpResponse<String>> subscribeB = CompletableFuture.supplyAsync(() -> call(() -> subscribe(b.adminKey(), idB)));
            SubscriptionTest.await("B's subscribe answered, or A's unsubscribe done", Duration.ofSeconds(25),
                    () -> subscribeB.isDone() || unsubscribeA.isDone());
            boolean aStillRunning = !unsubscribeA.isDone();
            System.out.printf("B's subscribe answered after %d ms; A's unsubscribe still under way: %s (%d ms so far)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - bStart), aStillRunning,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - aStart));
            assertTrue(subscribeB.isDone() && aStillRunning,
                    "tenant B's subscribe must not wait for tenant A's stuck teardown (B blocked behind A)");
            assertEquals(200, subscribeB.get().statusCode(), subscribeB.get().body());
            SubscriptionTest.await("B connected while A's teardown is still under way", Duration.ofSeconds(30),
                    () -> state(b.adminKey(), idB).equals("connected"));
            assertFalse(unsubscribeA.isDone(), "A's teardown was still held by the test");
            lock.rollback();
            assertEquals(200, unsubscribeA.get(30, TimeUnit.SECONDS).statusCode(), "A's unsubscribe ends once released");
        }
    }

    @Test
    void healthStaysUpWhileSubscriptionsAreStoppedAndRestarted() throws Exception {
        RuntimeHarness.Tenant a = service.createOrganization("tenant a");
        String id = integration(a.adminKey());
        AtomicBoolean churning = new AtomicBoolean(true);
        AtomicInteger polls = new AtomicInteger();
        AtomicInteger down = new AtomicInteger();
        StringBuilder firstDown = new StringBuilder();
        Thread poller = new Thread(() -> {
            while (churning.get()) {
                HttpResponse<String> r = call(() -> service.send("GET", "/health", null, null));
                polls.incrementAndGet();
                if (r.statusCode() != 200 && down.getAndIncrement() == 0) {
                    firstDown.append(r.statusCode()).append(' ').append(r.body());
                }
            }
        }, "health-poller");
        poller.start();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < 40; i++) {
                assertEquals(200, subscribe(a.adminKey(), id).statusCode());
                if (i % 10 == 0) {
                    // a restart with other topics replaces the route
                    assertEquals(200, service.send("POST", "/api/v1/integrations/" + id + "/subscribe", a.adminKey(),
                            "{\"topics\":[\"other/" + i + "\"],\"qos\":1}").statusCode());
                }
                assertEquals(200, service.send("DELETE", "/api/v1/integrations/" + id + "/subscribe", a.adminKey(), null).statusCode());
            }
        } finally {
            churning.set(false);
            poller.join(30_000);
        }
        System.out.printf("/health during 40 subscribe/unsubscribe cycles (%d ms): %d polls, %d not 200%s%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), polls.get(), down.get(),
                down.get() > 0 ? "; first: " + firstDown : "");
        assertTrue(polls.get() > 0, "health was polled");
        assertEquals(0, down.get(), "routes stopped on purpose must not turn health down: " + firstDown);
    }

    interface Call<T> {
        T run() throws Exception;
    }

    static <T> T call(Call<T> call) {
        try {
            return call.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
