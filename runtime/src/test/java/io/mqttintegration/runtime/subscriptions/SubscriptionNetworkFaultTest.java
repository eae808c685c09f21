package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TcpProxy;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network between the service and the customer's broker is cut for 60 s (a TCP proxy the test
 * controls), then the broker itself restarts: the subscription recovers within 30 s each time, and
 * no QoS 1 message published meanwhile is lost.
 */
@Tag("reliability")
class SubscriptionNetworkFaultTest {

    static final Duration CUT = Duration.ofSeconds(Integer.getInteger("mqi.cut.seconds", 60));

    @TempDir
    Path work;

    @Test
    void recoversFromANetworkCutAndABrokerRestartWithoutLosingMessages() throws Exception {
        boolean passed = false;
        MosquittoBroker broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of());
        DataSource db = TestDatabase.newDatabase();
        try (TcpProxy proxy = new TcpProxy(broker.port()); RuntimeHarness service = RuntimeHarness.start(db, work, Map.of())) {
            proxy.trace(work.resolve("mosquitto").resolve("wire.log")); // every packet between the service and the broker
            String admin = service.createOrganization("o").adminKey();
            HttpResponse<String> created = service.send("POST", "/api/v1/integrations", admin,
                    "{\"name\":\"b\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + proxy.port() + "}}");
            String id = Json.strict().readTree(created.body()).path("id").asText();
            assertEquals(200, service.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin,
                    "{\"topics\":[\"site/#\"]}").statusCode());
            SubscriptionSupervisor running = service.runtime.subscriptions().running(java.util.UUID.fromString(id)).orElseThrow();
            SubscriptionTest.await("connected", Duration.ofSeconds(30),
                    () -> running.status().state() == SubscriptionStatus.State.CONNECTED);
            broker.subscribed("site/#");

            proxy.cut();
            SubscriptionTest.await("the cut is seen", Duration.ofSeconds(10),
                    () -> running.status().state() != SubscriptionStatus.State.CONNECTED);
            broker.publishLines("site/devices/d1/telemetry", SubscriptionTest.payloads(0, 1000), 1, null, null);
            TimeUnit.MILLISECONDS.sleep(CUT.toMillis());
            proxy.restore();
            long restored = System.nanoTime();
            SubscriptionTest.await("reconnected after the cut", Duration.ofSeconds(30),
                    () -> running.status().state() == SubscriptionStatus.State.CONNECTED);
            long afterCut = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restored);
            SubscriptionTest.await("the 1,000 sent during the cut stored", Duration.ofSeconds(30), () -> distinct(db) == 1000);

            System.out.println("broker restart (keeping its state) at " + Instant.now());
            broker = broker.restart(true);
            long brokerBack = System.nanoTime();
            broker.publishLines("site/devices/d1/telemetry", SubscriptionTest.payloads(1000, 1000), 1, null, null);
            SubscriptionTest.await("reconnected after the broker restart", Duration.ofSeconds(30),
                    () -> running.status().state() == SubscriptionStatus.State.CONNECTED && running.status().connection() >= 2); // two connections ended: the cut, the restart
            long afterRestart = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - brokerBack);
            SubscriptionTest.await("all 2,000 stored", Duration.ofSeconds(30),
                    () -> "stored " + distinct(db) + ", status " + running.status().view(), () -> distinct(db) == 2000);
            long rows = Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE seq = 0");
            long distinct = distinct(db);
            System.out.printf("network cut %d s + broker restart: sent 2000, stored %d, lost %d, duplicated %d; "
                    + "reconnected %d ms after the network came back, %d ms after the broker came back%n",
                    CUT.toSeconds(), distinct, 2000 - distinct, rows - distinct, afterCut, afterRestart);
            if (rows != distinct) {
                System.out.println("stored twice (seq: copies): " + Rows.text(db, "SELECT string_agg(s || ':' || n, ',') FROM (SELECT "
                        + "(convert_from(payload, 'UTF8')::jsonb->>'seq')::int s, count(*) n FROM mqtt_messages WHERE seq = 0 GROUP BY 1"
                        + " HAVING count(*) > 1 ORDER BY 1) d"));
            }
            assertEquals(2000, distinct, "none lost");
            assertEquals(distinct, rows, "none stored twice: a message the broker sends again after a reconnect is not stored again");
            passed = true;
        } finally {
            broker.close();
            keepLogs(passed);
        }
    }

    /**
     * The broker's log (log_type all) and the proxy's packet trace, which the temporary folder would
     * delete: kept after a failure in target/, and after every run in -Dmqi.keep.dir if set (to
     * compare a failing run with passing ones).
     */
    private void keepLogs(boolean passed) throws IOException {
        String dir = System.getProperty("mqi.keep.dir");
        if (passed && dir == null) {
            return;
        }
        Path to = Path.of(dir != null ? dir : "target/" + getClass().getSimpleName(), "run-" + System.currentTimeMillis());
        Files.createDirectories(to);
        for (String file : List.of("mosquitto.log", "wire.log")) {
            Path from = work.resolve("mosquitto").resolve(file);
            if (Files.exists(from)) {
                Files.copy(from, to.resolve(file));
            }
        }
        System.out.println("broker log and packet trace kept in " + to.toAbsolutePath());
    }

    private static long distinct(DataSource db) {
        return Rows.count(db, "SELECT count(DISTINCT convert_from(payload, 'UTF8')) FROM mqtt_messages WHERE seq = 0");
    }
}
