package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledged only after the commit: with PostgreSQL stopped for 30 s while 10,000 QoS 1 messages
 * arrive, delivered messages fail and stay unacknowledged (the broker's own log shows no PUBACK);
 * once it is back, the service's reconnect makes the broker deliver them again, and every one is
 * stored. Prints sent, acknowledged, stored, lost and duplicated.
 */
class SubscriptionDatabaseOutageTest {

    static final int SENT = Integer.getInteger("mqi.outage.messages", 10_000);
    static final Duration OUTAGE = Duration.ofSeconds(Integer.getInteger("mqi.outage.seconds", 30));

    @TempDir
    Path work;

    @Test
    @org.junit.jupiter.api.Tag("reliability")
    void messagesDeliveredWhileTheDatabaseIsDownAreStoredOnceItIsBack() throws Exception {
        Path data = work.resolve("pg");
        int port = RuntimeHarness.freePort();
        EmbeddedDatabase postgres = EmbeddedDatabase.start(data, port, false);
        DataSource db = postgres.dataSource("postgres");
        MosquittoBroker broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of());
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of())) {
            String admin = service.createOrganization("o").adminKey();
            HttpResponse<String> created = service.send("POST", "/api/v1/integrations", admin,
                    "{\"name\":\"b\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + broker.port() + "}}");
            String id = Json.strict().readTree(created.body()).path("id").asText();
            assertEquals(200, service.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin,
                    "{\"topics\":[\"site/#\"]}").statusCode());
            SubscriptionTest.await("connected", Duration.ofSeconds(30), () -> state(service, admin, id).equals("connected"));
            broker.subscribed("site/#");

            postgres.close();
            long down = System.nanoTime();
            broker.publishLines("site/devices/d1/telemetry", SubscriptionTest.payloads(0, SENT), 1, null, null);
            SubscriptionSupervisor running = service.runtime.subscriptions().running(java.util.UUID.fromString(id)).orElseThrow();
            SubscriptionTest.await("deliveries failed while the database is down", Duration.ofSeconds(30),
                    () -> running.status().failed() > 0);
            TimeUnit.NANOSECONDS.sleep(Math.max(0, down + OUTAGE.toNanos() - System.nanoTime()));
            assertEquals(0, running.status().stored(), "nothing stored");
            assertFalse(broker.log().contains("Received PUBACK from mqi-"), "and nothing acknowledged (the broker's log)");

            postgres = EmbeddedDatabase.start(data, port, false);
            long back = System.nanoTime();
            SubscriptionTest.await("all stored after the database returned", Duration.ofSeconds(90), () -> "stored "
                    + Rows.count(db, "SELECT count(DISTINCT convert_from(payload, 'UTF8')) FROM mqtt_messages WHERE seq = 0")
                    + ", status " + running.status().view(),
                    () -> Rows.count(db, "SELECT count(DISTINCT convert_from(payload, 'UTF8')) FROM mqtt_messages WHERE seq = 0") == SENT);
            long recovered = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
            TimeUnit.SECONDS.sleep(1);
            long rows = Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE seq = 0");
            long distinct = Rows.count(db, "SELECT count(DISTINCT convert_from(payload, 'UTF8')) FROM mqtt_messages WHERE seq = 0");
            long acknowledged = broker.log().split("Received PUBACK from mqi-", -1).length - 1;
            System.out.printf("mqtt + database down %d s: sent %d, acknowledged %d, stored %d, lost %d, duplicated %d; "
                    + "all stored %d ms after the database returned (deliveries: %d received, %d failed)%n",
                    OUTAGE.toSeconds(), SENT, acknowledged, distinct, SENT - distinct, rows - distinct, recovered, running.status().received(),
                    running.status().failed());
            assertTrue(running.status().received() > SENT, "the failed ones were delivered again");
        } finally {
            postgres.close();
            broker.close();
        }
    }

    private static String state(RuntimeHarness service, String admin, String id) throws Exception {
        JsonNode integration = Json.strict().readTree(service.send("GET", "/api/v1/integrations/" + id, admin, null).body());
        return integration.path("subscription").path("state").asText();
    }
}
