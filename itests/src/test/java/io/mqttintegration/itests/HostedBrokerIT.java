package io.mqttintegration.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The assembly starts the hosted MQTT broker (feature mqtt-integration-broker) and a device session
 * works: mosquitto_pub with a credential generated through the API publishes, the message is stored
 * as a hosted row of the credential's integration; a wrong password, a topic outside the device's
 * namespace and a revoked credential are refused; a command sent through the API reaches the device;
 * mqtt:device-list and /metrics show a connected device, and device presence has it online, then offline.
 */
class HostedBrokerIT {

    @TempDir
    Path work;

    @Test
    void aDeviceConnectsToTheAssemblysBrokerWithItsGeneratedCredentialAndItsMessageIsStored() throws Exception {
        EmbeddedDatabase postgres = TestDatabase.server();
        Map<String, String> env = new java.util.HashMap<>(KarafProcess.databaseEnv(postgres, "mqi_hosted", "hosted-secret"));
        postgres.requirePassword("mqi_hosted");
        DataSource db = postgres.dataSource("mqi_hosted");

        try (KarafProcess karaf = new KarafProcess(Path.of(System.getProperty("mqi.karaf.dir")), work, env)) {
            KarafConsole console = KarafConsole.enable(karaf.home, work, karaf.sshPort);
            karaf.start();
            karaf.awaitHealthy(KarafProcess.BOOT_TIMEOUT);
            String operator = Files.readString(karaf.home.resolve("data/operator.key")).trim();
            String org = KarafProcess.field(karaf.send("POST", "/api/v1/organizations", operator, "{\"name\":\"hosted\"}"), "id");
            String admin = KarafProcess.field(karaf.send("POST", "/api/v1/organizations/" + org + "/api-keys", operator,
                    "{\"name\":\"admin\",\"scopes\":[\"admin\"]}"), "key");
            String integration = KarafProcess.field(karaf.send("POST", "/api/v1/integrations", admin,
                    "{\"name\":\"devices\",\"settings\":{\"host\":\"broker.example\"}}"), "id");
            HttpResponse<String> created = karaf.send("POST", "/api/v1/integrations/" + integration + "/credentials", admin, null);
            assertEquals(201, created.statusCode(), created.body());
            JsonNode credential = Json.strict().readTree(created.body());
            String user = credential.path("username").asText();
            String password = credential.path("password").asText();

            // The broker starts with the service (its component waits for it): retry until it listens.
            DeviceClient.Result published = null;
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            do {
                if (published != null) {
                    Thread.sleep(500);
                }
                published = DeviceClient.publish(karaf.brokerPort, user, password, "devices/" + user + "/telemetry",
                        "{\"t\":21.5}");
            } while (published.exitCode() != 0 && published.output().contains("refused") && System.nanoTime() < until);
            System.out.println("HOSTED: mosquitto_pub -V mqttv5 -q 1 -u " + user + " -t devices/" + user + "/telemetry -> exit "
                    + published.exitCode() + " '" + published.output() + "'");
            assertEquals(0, published.exitCode(), published.output());
            String stored = awaitQuery(db, "SELECT source || '|' || topic || '|' || organization_id || '|' || convert_from(payload, 'UTF8')"
                    + " FROM mqtt_messages WHERE integration_id = '" + integration + "'", Duration.ofSeconds(20));
            assertEquals("hosted|devices/" + user + "/telemetry|" + org + "|{\"t\":21.5}", stored);

            // While the device holds a connection (a subscriber, 30 s at most), the console lists it and /metrics counts it.
            Process listening = new ProcessBuilder("mosquitto_sub", "-h", "127.0.0.1", "-p", Integer.toString(karaf.brokerPort), "-V",
                    "mqttv5", "-q", "1", "-u", user, "-P", password, "-i", "sensor-17", "-t", "devices/" + user + "/commands", "-W", "30")
                    .redirectErrorStream(true).start();
            try {
                // The publish above was a connection of its own (no client id): wait for this one's row, not that one's.
                String devices = console.await("mqtt:device-list",
                        out -> out.lines().anyMatch(l -> l.contains(user) && l.contains("sensor-17")), Duration.ofSeconds(20));
                System.out.println("HOSTED: karaf@root()> mqtt:device-list\n" + devices);
                String row = devices.lines().filter(l -> l.contains(user) && l.contains("sensor-17")).findFirst().orElseThrow();
                assertTrue(row.contains(org) && row.contains(integration) && row.contains("sensor-17"), row);
                String metrics = karaf.send("GET", "/metrics", operator, null).body();
                String broker = metrics.lines().filter(l -> l.startsWith("mqi_broker_")).collect(java.util.stream.Collectors.joining("\n"));
                System.out.println("HOSTED: /metrics\n" + broker);
                assertTrue(broker.contains("mqi_broker_devices_connected{organization=\"" + org + "\"} 1.0"), broker);
                assertTrue(broker.contains("mqi_broker_messages_received_total 1.0"), broker);
                // Device presence (docs/devices.md): online on this node with its connection.
                String presence = awaitQuery(db, "SELECT state || '|' || reason || '|' || client_id || '|' || (node IS NOT NULL)"
                        + " || '|' || last_source FROM device_presence WHERE device_id = '" + user + "' AND client_id = 'sensor-17'",
                        Duration.ofSeconds(20));
                System.out.println("HOSTED: device_presence " + presence);
                assertEquals("online|connected|sensor-17|true|hosted", presence);
            } finally {
                listening.destroy();
                listening.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
            String ended = awaitQuery(db, "SELECT state || '|' || reason FROM device_presence WHERE device_id = '" + user
                    + "' AND state = 'offline'", Duration.ofSeconds(20));
            System.out.println("HOSTED: device_presence after mosquitto_sub ended " + ended);
            assertTrue(ended != null && ended.startsWith("offline|"), "its end is recorded: " + ended);

            DeviceClient.Result wrong = DeviceClient.publish(karaf.brokerPort, user, password + "x", "devices/" + user + "/t", "1");
            System.out.println("HOSTED: wrong password -> exit " + wrong.exitCode() + " '" + wrong.output() + "'");
            assertEquals(134, wrong.exitCode(), "mosquitto_pub exits with the CONNACK's reason code");
            assertTrue(wrong.output().contains("Bad User Name or Password"), wrong.output());

            DeviceClient.Result outside = DeviceClient.publish(karaf.brokerPort, user, password, "devices/someone-else/t", "1");
            System.out.println("HOSTED: outside its namespace -> exit " + outside.exitCode() + " '" + outside.output() + "'");
            assertTrue(outside.output().contains("Not authorized"), outside.output());

            // The broker's interceptor (DeviceGuard) is loaded inside the bundle: MQTT 3.1 is turned away.
            Process v31 = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(karaf.brokerPort), "-V",
                    "mqttv31", "-q", "1", "-u", user, "-P", password, "-t", "devices/" + user + "/t", "-m", "1")
                    .redirectErrorStream(true).start();
            assertTrue(v31.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
            String v31Output = new String(v31.getInputStream().readAllBytes()).trim();
            System.out.println("HOSTED: MQTT 3.1 -> exit " + v31.exitValue() + " '" + v31Output + "'");
            assertEquals(7, v31.exitValue(), v31Output);

            // A command down to the device through the API: mosquitto_sub, subscribed to the device's
            // commands with its credential, receives it.
            // stdbuf: line-buffered, so its SUBACK line shows while it runs (a pipe is block-buffered).
            Process sub = new ProcessBuilder("stdbuf", "-oL", "mosquitto_sub", "-h", "127.0.0.1", "-p", Integer.toString(karaf.brokerPort), "-V",
                    "mqttv5", "-q", "1", "-u", user, "-P", password, "-t", "devices/" + user + "/commands/#", "-v", "-C", "1",
                    "-W", "30", "-d").redirectErrorStream(true).start();
            StringBuilder subOutput = new StringBuilder();
            try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(sub.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    subOutput.append(line).append('\n');
                    if (line.contains("received SUBACK")) {
                        break;
                    }
                }
                HttpResponse<String> command = karaf.send("POST", "/api/v1/integrations/" + integration + "/publish", admin,
                        "{\"hosted\":true,\"topic\":\"devices/" + user + "/commands/reboot\",\"payload\":{\"delay\":5},\"qos\":1}");
                System.out.println("HOSTED: POST /publish {hosted: true, topic: devices/" + user + "/commands/reboot} -> "
                        + command.statusCode() + " " + command.body());
                assertEquals(200, command.statusCode(), command.body());
                while ((line = lines.readLine()) != null) {
                    subOutput.append(line).append('\n');
                }
            }
            assertTrue(sub.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            System.out.println("HOSTED: mosquitto_sub -t devices/" + user + "/commands/# -> exit " + sub.exitValue() + "\n" + subOutput);
            assertTrue(subOutput.toString().contains("devices/" + user + "/commands/reboot {\"delay\":5}"), subOutput.toString());
            HttpResponse<String> elsewhere = karaf.send("POST", "/api/v1/integrations/" + integration + "/publish", admin,
                    "{\"hosted\":true,\"topic\":\"devices/someone-else/commands/x\",\"payload\":1}");
            System.out.println("HOSTED: POST /publish {hosted: true, topic: devices/someone-else/...} -> " + elsewhere.statusCode() + " "
                    + elsewhere.body());
            assertEquals(403, elsewhere.statusCode(), elsewhere.body());

            String credentialId = credential.path("id").asText();
            assertEquals(204, karaf.send("DELETE", "/api/v1/integrations/" + integration + "/credentials/" + credentialId, admin, null)
                    .statusCode());
            DeviceClient.Result revoked = DeviceClient.publish(karaf.brokerPort, user, password, "devices/" + user + "/t", "1");
            System.out.println("HOSTED: revoked credential -> exit " + revoked.exitCode() + " '" + revoked.output() + "'");
            assertEquals(134, revoked.exitCode());
            assertTrue(revoked.output().contains("Bad User Name or Password"), revoked.output());
            assertEquals("1", query(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'hosted'"), "only the one accepted message");
            assertEquals(0, karaf.stop(Duration.ofSeconds(60)));
        }
    }

    private static String awaitQuery(DataSource db, String sql, Duration timeout) throws Exception {
        long until = System.nanoTime() + timeout.toNanos();
        String value = query(db, sql);
        while (value == null && System.nanoTime() < until) {
            Thread.sleep(100);
            value = query(db, sql);
        }
        return value;
    }

    private static String query(DataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
