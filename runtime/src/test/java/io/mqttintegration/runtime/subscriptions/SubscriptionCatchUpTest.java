package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subscription catches up on a burst larger than the ingestion queue's room, from a broker that
 * ignores the client's Receive Maximum (Mosquitto with {@code max_inflight_messages 0}, "no
 * maximum"), while HTTP ingestion keeps the writers busy: every message is stored once, none is
 * refused, the subscription never reconnects, and every HTTP request is answered 202 or 503.
 * Measured on 7e953aa with the same broker setting: 10,699 of 50,000 refused, a 95 s reconnect
 * hang and 12.5 % stored twice.
 */
@Tag("reliability")
class SubscriptionCatchUpTest {

    static final int SENT = Integer.getInteger("mqi.catchup.messages", 20_000);
    /** Room for subscriptions is half the queue: 100 here, a tenth of the subscription's window of 1,000. */
    static final int QUEUE = 200;

    @TempDir
    Path work;

    @Test
    void aBurstFromABrokerThatIgnoresReceiveMaximumIsStoredOnceWithoutRefusalsOrReconnects() throws Exception {
        MosquittoBroker broker = MosquittoBroker.startWith(work.resolve("mosquitto"), List.of("max_inflight_messages 0"));
        DataSource db = TestDatabase.newDatabase();
        ExecutorService http = Executors.newFixedThreadPool(4);
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of("ingest.queue.size", Integer.toString(QUEUE)))) {
            service.withIngestKey();
            String admin = service.createOrganization("o").adminKey();
            HttpResponse<String> created = service.send("POST", "/api/v1/integrations", admin,
                    "{\"name\":\"b\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + broker.port() + "}}");
            String id = Json.strict().readTree(created.body()).path("id").asText();
            assertEquals(200, service.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin,
                    "{\"topics\":[\"site/#\"]}").statusCode());
            SubscriptionSupervisor running = service.runtime.subscriptions().running(UUID.fromString(id)).orElseThrow();
            SubscriptionTest.await("connected", Duration.ofSeconds(30),
                    () -> running.status().state() == SubscriptionStatus.State.CONNECTED);
            broker.subscribed("site/#");

            // HTTP ingestion beside it, as fast as four clients go, for as long as the burst takes.
            AtomicBoolean loading = new AtomicBoolean(true);
            Map<Integer, LongAdder> answers = new ConcurrentHashMap<>();
            for (int t = 0; t < 4; t++) {
                int client = t;
                http.submit(() -> {
                    for (int i = 0; loading.get(); i++) {
                        int status = service.postJson("/api/v1/ingest", "{\"topic\":\"http/devices/h" + client
                                + "/telemetry\",\"payload\":{\"n\":" + i + "}}").statusCode();
                        answers.computeIfAbsent(status, s -> new LongAdder()).increment();
                    }
                    return null;
                });
            }
            long start = System.nanoTime();
            broker.publishLines("site/devices/d1/telemetry", SubscriptionTest.payloads(0, SENT), 1, null, null);
            SubscriptionTest.await("all " + SENT + " stored", Duration.ofSeconds(180),
                    () -> "stored " + distinct(db) + ", status " + running.status().view(), () -> distinct(db) == SENT);
            long millis = (System.nanoTime() - start) / 1_000_000;
            loading.set(false);
            http.shutdown();
            assertTrue(http.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS), "the HTTP clients stop");

            long rows = Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'mqtt' AND seq = 0");
            long distinct = distinct(db);
            long waits = service.send("GET", "/metrics", RuntimeHarness.OPERATOR_KEY, null).body().lines()
                    .filter(l -> l.startsWith("mqi_ingest_queue_waits_total ")).mapToLong(l -> (long) Double.parseDouble(l.split(" ")[1]))
                    .findFirst().orElse(-1);
            System.out.printf("catch-up: %d messages from a broker without an in-flight limit, queue %d: stored %d, lost %d, "
                    + "duplicated %d, refused %d, reconnects %d, waits for queue room %d, %d ms; HTTP answers beside it %s%n",
                    SENT, QUEUE, distinct, SENT - distinct, rows - distinct, running.status().failed(), running.status().connection(),
                    waits, millis, answers);
            assertEquals(SENT, distinct, "every message stored");
            assertEquals(distinct, rows, "none stored twice");
            assertEquals(0, running.status().failed(), "none refused or failed");
            assertEquals(0, running.status().connection(), "no reconnect");
            assertTrue(waits > 0, "the burst outran the queue's room: the subscription waited for it (flow control was exercised)");
            assertTrue(answers.containsKey(202), "HTTP ingestion was answered beside it: " + answers);
            assertTrue(answers.keySet().stream().allMatch(s -> s == 202 || s == 503), "only 202 or 503: " + answers);
        } finally {
            http.shutdownNow();
            broker.close();
        }
    }

    private static long distinct(DataSource db) {
        return Rows.count(db, "SELECT count(DISTINCT convert_from(payload, 'UTF8')) FROM mqtt_messages WHERE source = 'mqtt' AND seq = 0");
    }
}
