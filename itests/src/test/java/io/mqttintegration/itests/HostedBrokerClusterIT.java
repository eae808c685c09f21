package io.mqttintegration.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two assemblies (two Karaf processes, node ids n1 and n2) on one database, their hosted brokers
 * clustered through the environment alone (MQI_BROKER_CLUSTER_*): a device subscribed on node 1 with
 * mosquitto_sub gets a command sent through node 2's API. Proves the cluster connection works inside
 * the broker bundle, as shipped.
 */
class HostedBrokerClusterIT {

    static final String OPERATOR_KEY = "cluster-it-operator-key-0123456789-abcdefgh";

    @TempDir
    Path work;

    @Test
    void aCommandSentThroughNodeTwoReachesADeviceConnectedToNodeOne() throws Exception {
        EmbeddedDatabase postgres = TestDatabase.server();
        Map<String, String> shared = new HashMap<>(KarafProcess.databaseEnv(postgres, "mqi_cluster", "cluster-db-secret"));
        postgres.requirePassword("mqi_cluster");
        shared.put("MQI_OPERATOR_KEY", OPERATOR_KEY);
        shared.put("MQI_MASTER_KEY", Base64.getEncoder().encodeToString("master-key-material-32-bytes-!!!".getBytes()));
        shared.put("MQI_KEY_HASH_SECRET", Base64.getEncoder().encodeToString("hash-key-material-32-bytes-!!!!!".getBytes()));
        shared.put("MQI_BROKER_CLUSTER_PASSWORD", "cluster-it-password-0123456789");
        int cluster1 = KarafProcess.freePort();
        int cluster2 = KarafProcess.freePort();
        Path built = Path.of(System.getProperty("mqi.karaf.dir"));

        try (KarafProcess n1 = new KarafProcess(built, work.resolve("n1"), node(shared, "n1", cluster1, cluster2));
                KarafProcess n2 = new KarafProcess(built, work.resolve("n2"), node(shared, "n2", cluster2, cluster1))) {
            n1.start();
            n2.start();
            n1.awaitHealthy(KarafProcess.BOOT_TIMEOUT);
            n2.awaitHealthy(KarafProcess.BOOT_TIMEOUT);
            String org = KarafProcess.field(n1.send("POST", "/api/v1/organizations", OPERATOR_KEY, "{\"name\":\"cluster\"}"), "id");
            String admin = KarafProcess.field(n1.send("POST", "/api/v1/organizations/" + org + "/api-keys", OPERATOR_KEY,
                    "{\"name\":\"admin\",\"scopes\":[\"admin\"]}"), "key");
            String integration = KarafProcess.field(n1.send("POST", "/api/v1/integrations", admin,
                    "{\"name\":\"devices\",\"settings\":{\"host\":\"broker.example\"}}"), "id");
            HttpResponse<String> created = n1.send("POST", "/api/v1/integrations/" + integration + "/credentials", admin, null);
            assertEquals(201, created.statusCode(), created.body());
            JsonNode credential = Json.strict().readTree(created.body());
            String user = credential.path("username").asText();
            String password = credential.path("password").asText();

            // The broker starts once the service is up: retry the subscription until node 1's broker listens.
            Process sub = null;
            StringBuilder subOutput = new StringBuilder();
            BufferedReader lines = null;
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (lines == null && System.nanoTime() < until) {
                sub = new ProcessBuilder("stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", Integer.toString(n1.brokerPort), "-V",
                        "mqttv5", "-q", "1", "-u", user, "-P", password, "-i", "sensor-1", "-t", "devices/" + user + "/commands/#", "-v",
                        "-C", "1", "-W", "90", "-d").redirectErrorStream(true).start();
                BufferedReader r = new BufferedReader(new InputStreamReader(sub.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = r.readLine()) != null) {
                    subOutput.append(line).append('\n');
                    if (line.contains("received SUBACK")) {
                        lines = r;
                        break;
                    }
                }
                if (lines == null) {
                    sub.waitFor(5, TimeUnit.SECONDS);
                    Thread.sleep(500);
                }
            }
            assertTrue(lines != null, "the device subscribed on node 1: " + subOutput);
            System.out.println("CLUSTER: mosquitto_sub -p <node 1> -i sensor-1 -t devices/" + user + "/commands/# (subscribed)");

            // Node 2 learns of the subscription through the cluster within moments; until then a command
            // has nowhere to go there (no subscriber known), so it is sent again until the device has it.
            String payload = "{\"hosted\":true,\"topic\":\"devices/" + user + "/commands/reboot\",\"payload\":{\"via\":\"n2\"},\"qos\":1}";
            Thread reader = readRest(lines, subOutput);
            int sent = 0;
            while (sub.isAlive() && System.nanoTime() < until + Duration.ofSeconds(30).toNanos()) {
                HttpResponse<String> command = n2.send("POST", "/api/v1/integrations/" + integration + "/publish", admin, payload);
                assertEquals(200, command.statusCode(), command.body());
                sent++;
                if (sub.waitFor(1, TimeUnit.SECONDS)) {
                    break;
                }
            }
            reader.join(10_000);
            System.out.println("CLUSTER: POST <node 2>/api/v1/integrations/" + integration + "/publish " + payload + " -> 200 (sent "
                    + sent + " time(s))");
            System.out.println("CLUSTER: mosquitto_sub on node 1 printed:\n" + subOutput);
            assertTrue(subOutput.toString().contains("devices/" + user + "/commands/reboot {\"via\":\"n2\"}"), subOutput.toString());
            String log1 = Files.readString(n1.home.resolve("data/log/karaf.log"));
            assertTrue(log1.contains("Hosted MQTT broker clustered: cluster acceptor on 127.0.0.1:" + cluster1), "node 1's log");
            assertEquals(0, n2.stop(Duration.ofSeconds(60)));
            assertEquals(0, n1.stop(Duration.ofSeconds(60)));
        }
    }

    static Map<String, String> node(Map<String, String> shared, String id, int clusterPort, int peerPort) {
        Map<String, String> env = new HashMap<>(shared);
        env.put("MQI_NODE_ID", id);
        env.put("MQI_BROKER_CLUSTER_HOST", "127.0.0.1");
        env.put("MQI_BROKER_CLUSTER_PORT", Integer.toString(clusterPort));
        env.put("MQI_BROKER_CLUSTER_PEERS", "127.0.0.1:" + peerPort);
        return env;
    }

    private static Thread readRest(BufferedReader lines, StringBuilder into) {
        Thread t = new Thread(() -> {
            try {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (into) {
                        into.append(line).append('\n');
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        }, "mosquitto_sub-output");
        t.start();
        return t;
    }
}
