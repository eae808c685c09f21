package io.mqttintegration.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the Karaf process while hosted devices publish QoS 1 messages to the assembly's broker,
 * then a restart. Each device (Paho v5, its own generated credential) numbers its messages and
 * records, on its side, each message whose PUBACK (reason code 0) it received: what it was told. A
 * message without a PUBACK (cut by the kill) is not sent again: the device goes on with the next
 * number once it has reconnected. Scored like {@link KarafCrashIT}: every message a device was told
 * was received is in {@code mqtt_messages} (lost = 0), and no (device, number) is stored twice
 * (duplicated = 0; the broker's redelivery after the crash is made a no-op by the client message id).
 */
@Tag("reliability")
class HostedBrokerCrashIT {

    static final int DEVICES = 20;
    static final int MESSAGES_PER_DEVICE = 600;

    @TempDir
    Path work;

    @Test
    void killDashNineLosesNoMessageADeviceWasToldWasReceived() throws Exception {
        EmbeddedDatabase postgres = TestDatabase.server();
        Map<String, String> env = new java.util.HashMap<>(KarafProcess.databaseEnv(postgres, "mqi_hosted_crash", "hosted-crash-secret"));
        postgres.requirePassword("mqi_hosted_crash");
        DataSource db = postgres.dataSource("mqi_hosted_crash");
        try (KarafProcess karaf = new KarafProcess(Path.of(System.getProperty("mqi.karaf.dir")), work, env)) {
            karaf.start();
            karaf.awaitHealthy(KarafProcess.BOOT_TIMEOUT);
            String operator = Files.readString(karaf.home.resolve("data/operator.key")).trim();
            String org = KarafProcess.field(karaf.send("POST", "/api/v1/organizations", operator, "{\"name\":\"crash\"}"), "id");
            String admin = KarafProcess.field(karaf.send("POST", "/api/v1/organizations/" + org + "/api-keys", operator,
                    "{\"name\":\"admin\",\"scopes\":[\"admin\"]}"), "key");
            String integration = KarafProcess.field(karaf.send("POST", "/api/v1/integrations", admin,
                    "{\"name\":\"fleet\",\"settings\":{\"host\":\"broker.example\"}}"), "id");
            List<String[]> logins = new ArrayList<>();
            for (int i = 0; i < DEVICES; i++) {
                HttpResponse<String> created = karaf.send("POST", "/api/v1/integrations/" + integration + "/credentials", admin, null);
                assertEquals(201, created.statusCode(), created.body());
                JsonNode c = Json.strict().readTree(created.body());
                logins.add(new String[] {c.path("username").asText(), c.path("password").asText()});
            }

            int total = DEVICES * MESSAGES_PER_DEVICE;
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger notAcknowledged = new AtomicInteger();
            AtomicInteger reconnects = new AtomicInteger();
            AtomicBoolean killed = new AtomicBoolean();
            Set<String> acknowledgedAfterRestart = ConcurrentHashMap.newKeySet();
            ExecutorService devices = Executors.newFixedThreadPool(DEVICES);
            List<MqttAsyncClient> clients = new ArrayList<>();
            List<Future<?>> running = new ArrayList<>();
            String uri = "tcp://127.0.0.1:" + karaf.brokerPort;
            for (String[] login : logins) {
                MqttAsyncClient c = new MqttAsyncClient(uri, login[0], new MemoryPersistence());
                clients.add(c);
                running.add(devices.submit(() -> {
                    MqttConnectionOptions o = new MqttConnectionOptions();
                    o.setUserName(login[0]);
                    o.setPassword(login[1].getBytes(StandardCharsets.UTF_8));
                    o.setConnectionTimeout(10);
                    o.setAutomaticReconnect(false);
                    // The broker starts with the service (its component waits for it): until it listens.
                    connect(c, o, Duration.ofSeconds(60));
                    for (int n = 0; n < MESSAGES_PER_DEVICE; n++) {
                        String id = login[0] + "#" + n;
                        MqttMessage m = new MqttMessage(("{\"d\":\"" + login[0] + "\",\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8));
                        m.setQos(1);
                        try {
                            IMqttToken token = c.publish("devices/" + login[0] + "/telemetry", m);
                            token.waitForCompletion(10_000);
                            if (token.getReasonCodes() != null && token.getReasonCodes()[0] == 0) {
                                acknowledged.add(id);
                                if (killed.get()) {
                                    acknowledgedAfterRestart.add(id);
                                }
                                continue;
                            }
                        } catch (MqttException e) {
                            // cut by the kill: not told, not sent again
                        }
                        notAcknowledged.incrementAndGet();
                        if (!c.isConnected()) {
                            reconnects.incrementAndGet();
                            connect(c, o, Duration.ofSeconds(150));
                        }
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (acknowledged.size() < total / 3 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            int acknowledgedAtKill = acknowledged.size();
            assertTrue(acknowledgedAtKill > 0 && acknowledgedAtKill < total, "the kill falls inside the stream: " + acknowledgedAtKill);
            killed.set(true);
            karaf.kill();
            long storedAtKill = count(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'hosted'");
            System.out.printf("kill -9 after %d acknowledged messages (%d rows committed)%n", acknowledgedAtKill, storedAtKill);

            karaf.start();
            Duration restart = karaf.awaitHealthy(KarafProcess.BOOT_TIMEOUT);
            for (Future<?> f : running) {
                f.get(300, TimeUnit.SECONDS);
            }
            devices.shutdown();
            for (MqttAsyncClient c : clients) {
                try {
                    c.disconnect().waitForCompletion(5_000);
                    c.close(true);
                } catch (MqttException ignored) {
                    // gone already
                }
            }

            // Every acknowledged message is stored, once the broker's journal is emptied into the database.
            Set<String> stored = new HashSet<>();
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            do {
                stored = storedIds(db);
                if (stored.containsAll(acknowledged)) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(500);
            } while (System.nanoTime() < until);
            TimeUnit.SECONDS.sleep(2); // anything still redelivered would show as a duplicate
            long rows = count(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'hosted'");
            stored = storedIds(db);
            Set<String> storedNow = stored;
            long lost = acknowledged.stream().filter(id -> !storedNow.contains(id)).count();
            System.out.printf("kill -9 during hosted MQTT ingestion: %d devices, sent %d QoS 1 messages, acknowledged %d "
                    + "(%d after the restart), not acknowledged %d, stored %d (distinct %d), lost %d, duplicated %d "
                    + "(reconnects %d; restart to healthy %d ms)%n", DEVICES, total, acknowledged.size(), acknowledgedAfterRestart.size(),
                    notAcknowledged.get(), rows, stored.size(), lost, rows - stored.size(), reconnects.get(), restart.toMillis());
            assertTrue(acknowledgedAfterRestart.size() > 0, "the devices went on after the restart");
            assertEquals(0, lost, "lost: none of the messages a device was told were received is missing");
            assertEquals(0, rows - stored.size(), "duplicated: no (device, number) stored twice");
            assertEquals(total, acknowledged.size() + notAcknowledged.get(), "each message sent once");
            assertEquals(0, karaf.stop(Duration.ofSeconds(60)));
        }
    }

    /** Connects, again and again until the broker takes it (it is down, or starting). */
    private static void connect(MqttAsyncClient c, MqttConnectionOptions o, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                c.connect(o).waitForCompletion(15_000);
                return;
            } catch (MqttException e) {
                if (System.nanoTime() > until) {
                    throw new AssertionError("device " + c.getClientId() + " could not connect again: " + e);
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
    }

    /** "device#number" of each stored hosted row. */
    private static Set<String> storedIds(DataSource db) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT convert_from(payload, 'UTF8')::jsonb ->> 'd', convert_from(payload, 'UTF8')::jsonb ->> 'n'"
                        + " FROM mqtt_messages WHERE source = 'hosted'")) {
            while (rs.next()) {
                ids.add(rs.getString(1) + "#" + rs.getString(2));
            }
        }
        return ids;
    }

    private static long count(DataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
