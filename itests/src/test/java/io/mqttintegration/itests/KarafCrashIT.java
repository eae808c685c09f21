package io.mqttintegration.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.devdb.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the Karaf process in the middle of a 50,000-message HTTP ingestion, then a restart.
 * Senders keep every request until it is answered 202 (an error or a dropped connection means:
 * send it again). Scored like a queue checker: every acknowledged message must be stored (lost = 0);
 * a request that was committed but whose answer died with the process is sent again, and its
 * messageIds keep it from being stored twice (duplicated = 0).
 */
@Tag("reliability")
class KarafCrashIT {

    static final int SENDERS = 10;
    static final int REQUESTS_PER_SENDER = 50;
    static final int MESSAGES_PER_REQUEST = 100;

    @TempDir
    Path work;

    @Test
    void killDashNineLosesNoAcknowledgedMessage() throws Exception {
        EmbeddedDatabase postgres = TestDatabase.server();
        Map<String, String> env = KarafProcess.databaseEnv(postgres, "mqi_crash", "crash-secret");
        DataSource db = postgres.dataSource("mqi_crash");
        try (KarafProcess karaf = new KarafProcess(Path.of(System.getProperty("mqi.karaf.dir")), work, env)) {
            karaf.start();
            karaf.awaitHealthy(KarafProcess.BOOT_TIMEOUT);
            String operator = Files.readString(karaf.home.resolve("data/operator.key")).trim();
            String org = KarafProcess.field(karaf.send("POST", "/api/v1/organizations", operator, "{\"name\":\"crash\"}"), "id");
            String admin = KarafProcess.field(karaf.send("POST", "/api/v1/organizations/" + org + "/api-keys", operator,
                    "{\"name\":\"admin\",\"scopes\":[\"admin\"]}"), "key");
            String integration = KarafProcess.field(karaf.send("POST", "/api/v1/integrations", admin,
                    "{\"name\":\"plant\",\"settings\":{\"host\":\"broker.crash\"}}"), "id");
            String gateway = KarafProcess.field(karaf.send("POST", "/api/v1/organizations/" + org + "/api-keys", admin,
                    "{\"name\":\"gw\",\"scopes\":[\"ingest\"],\"integrationId\":\"" + integration + "\"}"), "key");

            int total = SENDERS * REQUESTS_PER_SENDER * MESSAGES_PER_REQUEST;
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger sent = new AtomicInteger();
            AtomicLong failedAnswers = new AtomicLong();
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            List<Future<?>> running = new ArrayList<>();
            for (int s = 0; s < SENDERS; s++) {
                int sender = s;
                running.add(senders.submit(() -> {
                    for (int r = 0; r < REQUESTS_PER_SENDER; r++) {
                        List<String> ids = new ArrayList<>();
                        StringBuilder body = new StringBuilder("[");
                        for (int m = 0; m < MESSAGES_PER_REQUEST; m++) {
                            String id = "s" + sender + "-" + (r * MESSAGES_PER_REQUEST + m);
                            ids.add(id);
                            body.append(m == 0 ? "" : ",").append("{\"topic\":\"crash/devices/s").append(sender)
                                    .append("/telemetry\",\"messageId\":\"").append(id).append("\",\"payload\":{\"n\":")
                                    .append(m).append("}}");
                        }
                        body.append(']');
                        sent.addAndGet(MESSAGES_PER_REQUEST);
                        // Until acknowledged: errors and dropped connections mean "send it again".
                        long giveUp = System.nanoTime() + Duration.ofSeconds(150).toNanos();
                        while (true) {
                            try {
                                HttpResponse<String> answer = karaf.send("POST", "/api/v1/ingest", gateway, body.toString());
                                if (answer.statusCode() == 202) {
                                    acknowledged.addAll(ids);
                                    break;
                                }
                                failedAnswers.incrementAndGet();
                            } catch (Exception e) {
                                failedAnswers.incrementAndGet();
                            }
                            if (System.nanoTime() > giveUp) {
                                throw new AssertionError("sender " + sender + " could not deliver request " + r);
                            }
                            TimeUnit.MILLISECONDS.sleep(200);
                        }
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (acknowledged.size() < total / 3 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            int acknowledgedAtKill = acknowledged.size();
            karaf.kill();
            long storedAtKill = count(db, "SELECT count(*) FROM mqtt_messages");
            System.out.printf("kill -9 after %d acknowledged messages (%d rows committed)%n", acknowledgedAtKill, storedAtKill);
            assertTrue(storedAtKill >= acknowledgedAtKill, "every acknowledged message was committed before the kill");

            karaf.start();
            Duration restart = karaf.awaitHealthy(KarafProcess.BOOT_TIMEOUT);
            for (Future<?> f : running) {
                f.get(300, TimeUnit.SECONDS);
            }
            senders.shutdown();

            long rows = count(db, "SELECT count(*) FROM mqtt_messages");
            long distinct = count(db, "SELECT count(DISTINCT client_message_id) FROM mqtt_messages");
            Set<String> storedIds = new java.util.HashSet<>();
            try (Connection c = db.getConnection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT client_message_id FROM mqtt_messages")) {
                while (rs.next()) {
                    storedIds.add(rs.getString(1));
                }
            }
            long lost = acknowledged.stream().filter(id -> !storedIds.contains(id)).count();
            System.out.printf("kill -9 during HTTP ingestion: sent %d, acknowledged %d, stored %d, lost %d, duplicated %d "
                    + "(requests answered with an error or cut and sent again: %d; restart to healthy %d ms)%n",
                    sent.get(), acknowledged.size(), distinct, lost, rows - distinct,
                    failedAnswers.get(), restart.toMillis());
            assertEquals(total, acknowledged.size(), "every message was acknowledged in the end");
            assertEquals(0, lost, "lost: none of the acknowledged messages is missing");
            assertEquals(total, distinct);
            assertEquals(0, rows - distinct, "duplicated: none, thanks to the messageIds");
            assertEquals(0, karaf.stop(Duration.ofSeconds(60)));
        }
    }


    private static long count(DataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
