package io.mqttintegration.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.devdb.TestDatabase;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the Karaf assembly while a webhook sink forwards, then a restart: every message that
 * was stored reaches the receiver (received ⊇ stored); what was in flight at the kill may arrive
 * twice, and is counted and printed.
 */
@Tag("reliability")
class SinkCrashIT {

    static final int REQUESTS = 100;
    static final int MESSAGES_PER_REQUEST = 100;

    @TempDir
    Path work;

    @Test
    void killDashNineWhileForwardingLosesNoStoredMessage() throws Exception {
        EmbeddedDatabase postgres = TestDatabase.server();
        Map<String, String> env = new HashMap<>(KarafProcess.databaseEnv(postgres, "mqi_sinkcrash", "sink-crash-secret"));
        env.put("MQI_ALLOW_PRIVATE_TARGETS", "true"); // the receiver is on loopback
        DataSource db = postgres.dataSource("mqi_sinkcrash");
        Map<String, Integer> received = new ConcurrentHashMap<>();
        AtomicInteger deliveries = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        receiver.createContext("/in", exchange -> {
            exchange.getRequestBody().readAllBytes();
            received.merge(exchange.getRequestHeaders().getFirst("X-MQI-Message-Id"), 1, Integer::sum);
            deliveries.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        receiver.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        receiver.start();
        try (KarafProcess karaf = new KarafProcess(Path.of(System.getProperty("mqi.karaf.dir")), work, env)) {
            karaf.start();
            karaf.awaitHealthy(KarafProcess.BOOT_TIMEOUT);
            String operator = Files.readString(karaf.home.resolve("data/operator.key")).trim();
            String org = KarafProcess.field(karaf.send("POST", "/api/v1/organizations", operator, "{\"name\":\"sinks\"}"), "id");
            String admin = KarafProcess.field(karaf.send("POST", "/api/v1/organizations/" + org + "/api-keys", operator,
                    "{\"name\":\"admin\",\"scopes\":[\"admin\"]}"), "key");
            String integration = KarafProcess.field(karaf.send("POST", "/api/v1/integrations", admin,
                    "{\"name\":\"plant\",\"settings\":{\"host\":\"broker.example\"}}"), "id");
            String gateway = KarafProcess.field(karaf.send("POST", "/api/v1/organizations/" + org + "/api-keys", admin,
                    "{\"name\":\"gw\",\"scopes\":[\"ingest\"],\"integrationId\":\"" + integration + "\"}"), "key");
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/in";
            KarafProcess.field(karaf.send("POST", "/api/v1/integrations/" + integration + "/sinks", admin,
                    "{\"name\":\"hook\",\"kind\":\"webhook\",\"settings\":{\"url\":\"" + url + "\"}}"), "id");

            int acknowledged = 0;
            for (int r = 0; r < REQUESTS && deliveries.get() < REQUESTS * MESSAGES_PER_REQUEST / 4; r++) {
                StringBuilder body = new StringBuilder("[");
                for (int m = 0; m < MESSAGES_PER_REQUEST; m++) {
                    body.append(m == 0 ? "" : ",").append("{\"topic\":\"crash/devices/d").append(m % 10)
                            .append("/telemetry\",\"payload\":{\"r\":").append(r).append(",\"m\":").append(m).append("}}");
                }
                if (karaf.send("POST", "/api/v1/ingest", gateway, body.append(']').toString()).statusCode() == 202) {
                    acknowledged += MESSAGES_PER_REQUEST;
                }
            }
            karaf.kill();
            int deliveredAtKill = deliveries.get();
            Set<String> stored = storedIds(db);
            System.out.printf("kill -9 while forwarding: %d acknowledged, %d stored, %d delivered at the kill%n", acknowledged,
                    stored.size(), deliveredAtKill);
            assertTrue(deliveredAtKill < stored.size(), "the kill came while the sink was still forwarding");

            karaf.start();
            karaf.awaitHealthy(KarafProcess.BOOT_TIMEOUT);
            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (!received.keySet().containsAll(stored) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(200);
            }
            Set<String> missing = new HashSet<>(stored);
            missing.removeAll(received.keySet());
            long twice = received.values().stream().filter(n -> n > 1).count();
            System.out.printf("after the restart: stored %d, received %d distinct in %d deliveries, lost %d, received twice %d%n",
                    stored.size(), received.size(), deliveries.get(), missing.size(), twice);
            assertEquals(Set.of(), missing, "every stored message reached the receiver");
            assertEquals(stored.size(), received.size(), "and nothing that was not stored");
            assertEquals(0, karaf.stop(Duration.ofSeconds(60)));
        } finally {
            receiver.stop(0);
        }
    }

    private static Set<String> storedIds(DataSource db) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT message_id FROM mqtt_messages WHERE seq = 0")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
