package io.mqttintegration.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.devdb.TestCertificates;
import io.mqttintegration.devdb.TestDatabase;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built assembly as an operator gets it: no console user, SSH on loopback only, no JMX, the API
 * over TLS with a configured key store, and no secret in config:list, service:list, scr:info or the
 * logs. Then an operator's console session with the mqtt:* commands.
 */
class KarafHardeningIT {

    private static final String DB_PASSWORD = "db-pw-7Hq2:xK9\\m";
    private static final String OPERATOR_KEY = "operator-key-Zr81kLq0-4kd92LxPq-77aa";
    private static final String STORE_PASSWORD = "store-pw-Yy83Lm";

    @TempDir
    Path work;

    @Test
    void shipsLockedDownAndKeepsEverySecretOutOfTheConsoleAndTheLogs() throws Exception {
        Path built = Path.of(System.getProperty("mqi.karaf.dir"));
        assertEquals(List.of(), enabledUsers(built.resolve("etc/users.properties")), "no default karaf user (or any user)");
        assertEquals(List.of(), enabledUsers(built.resolve("etc/keys.properties")), "no default SSH key");
        assertFalse(Files.exists(built.resolve("etc/org.apache.karaf.management.cfg")), "the JMX (management) feature is not there");

        EmbeddedDatabase postgres = TestDatabase.server();
        Map<String, String> env = new HashMap<>(KarafProcess.databaseEnv(postgres, "mqi_hardening", DB_PASSWORD));
        postgres.requirePassword("mqi_hardening");
        String masterKey = Base64.getEncoder().encodeToString("master-key-material-32-bytes-!!!".getBytes());
        String hashSecret = Base64.getEncoder().encodeToString("hash-key-material-32-bytes-!!!!!".getBytes());
        TestCertificates certs = TestCertificates.create(work.resolve("tls"), "localhost");
        env.put("MQI_OPERATOR_KEY", OPERATOR_KEY);
        env.put("MQI_MASTER_KEY", masterKey);
        env.put("MQI_KEY_HASH_SECRET", hashSecret);
        env.put("MQI_HTTP_TLS_KEYSTORE", certs.pkcs12(work.resolve("tls/api.p12"), STORE_PASSWORD).toString());
        env.put("MQI_HTTP_TLS_KEYSTORE_PASSWORD", STORE_PASSWORD);

        try (KarafProcess karaf = new KarafProcess(built, work, env)) {
            KarafConsole console = KarafConsole.enable(karaf.home, work, karaf.sshPort);
            karaf.overTls(certs.clientContext(), "localhost").start();
            karaf.awaitHealthy(KarafProcess.BOOT_TIMEOUT);
            assertTrue(karaf.send("GET", "/health", OPERATOR_KEY, null).body().contains("\"database\":{\"status\":\"up\""),
                    "the password reached pgjdbc");
            assertEquals(200, karaf.send("GET", "/api/v1/organizations", OPERATOR_KEY, null).statusCode(),
                    "the operator key came from the environment");
            assertThrows(IOException.class, () -> java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create("http://127.0.0.1:" + karaf.httpPort + "/health"))
                    .timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()),
                    "no plain HTTP on the TLS port");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(karaf.home.resolve("data/pgpass"))));

            // SSH answers on loopback and nowhere else.
            try (Socket loopback = new Socket()) {
                loopback.connect(new InetSocketAddress("127.0.0.1", karaf.sshPort), 5_000);
            }
            Optional<InetAddress> external = nonLoopbackAddress();
            System.out.println("Hardening: non-loopback address checked for SSH: " + external.map(InetAddress::getHostAddress).orElse("none"));
            if (external.isPresent()) {
                assertThrows(IOException.class, () -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(external.get(), karaf.sshPort), 5_000);
                    }
                }, "SSH must not answer on " + external.get());
            }

            // The hosted MQTT broker too: its shipped default host is 127.0.0.1 (it starts after the service).
            long brokerBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try (Socket loopback = new Socket()) {
                    loopback.connect(new InetSocketAddress("127.0.0.1", karaf.brokerPort), 5_000);
                    break;
                } catch (IOException notYet) {
                    if (System.nanoTime() > brokerBy) {
                        throw notYet;
                    }
                    Thread.sleep(200);
                }
            }
            if (external.isPresent()) {
                assertThrows(IOException.class, () -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(external.get(), karaf.brokerPort), 5_000);
                    }
                }, "the hosted MQTT broker must not answer on " + external.get());
            }

            String features = console.await("feature:list -i", out -> out.contains("mqtt-integration "), Duration.ofSeconds(30));
            assertFalse(features.contains("management"), "JMX is not exposed (no management feature):\n" + features);

            String configs = console.run("config:list");
            assertTrue(configs.contains("security.operatorKey = env:MQI_OPERATOR_KEY"), "config:list shows where, not what");
            // The shipped files set no other key: the defaults are the service's, shown by the metatype made from them.
            String meta = console.run("config:meta mqtt.integration.ingest");
            assertTrue(meta.lines().anyMatch(l -> l.startsWith("ingest.queue.size") && l.contains("10000")),
                    "config:meta lists each key with its default:\n" + meta);
            assertTrue(Files.readString(karaf.home.resolve("data/log/karaf.log"))
                    .contains("http.port=" + karaf.httpPort + " (env MQI_HTTP_PORT)"), "the start logs the values in force");
            List<String> places = new ArrayList<>(List.of(configs, console.run("service:list"),
                    console.run("scr:info io.mqttintegration.runtime"), console.run("log:display"),
                    Files.readString(karaf.home.resolve("data/log/karaf.log")), Files.readString(karaf.home.resolve("console.log"))));
            for (String secret : List.of(DB_PASSWORD, OPERATOR_KEY, masterKey, hashSecret, STORE_PASSWORD)) {
                for (int i = 0; i < places.size(); i++) {
                    assertFalse(places.get(i).contains(secret), "secret " + secret.substring(0, 8) + "... shows in place " + i);
                }
            }

            // An operator's session with the service's own commands.
            String org = KarafProcess.field(karaf.send("POST", "/api/v1/organizations", OPERATOR_KEY, "{\"name\":\"plant\"}"), "id");
            String admin = KarafProcess.field(karaf.send("POST", "/api/v1/organizations/" + org + "/api-keys", OPERATOR_KEY,
                    "{\"name\":\"admin\",\"scopes\":[\"admin\"]}"), "key");
            String integration = KarafProcess.field(karaf.send("POST", "/api/v1/integrations", admin,
                    "{\"name\":\"line 1\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + KarafProcess.freePort() + "}}"), "id");
            String gateway = KarafProcess.field(karaf.send("POST", "/api/v1/organizations/" + org + "/api-keys", admin,
                    "{\"name\":\"gw\",\"scopes\":[\"ingest\"],\"integrationId\":\"" + integration + "\"}"), "key");
            assertEquals(202, karaf.send("POST", "/api/v1/ingest", gateway,
                    "[{\"topic\":\"plant/devices/d1/telemetry\",\"payload\":{\"t\":20.5}},"
                            + "{\"topic\":\"plant/devices/d2/telemetry\",\"payload\":{\"t\":21}}]").statusCode());

            console.clearTranscript();
            String routes = console.run("mqtt:route-list");
            int shipped = new ShippedRouteFiles(Path.of(System.getProperty("mqi.karaf.dir")).resolve("routes")).routeIds().size();
            assertEquals(shipped + 2, routes.split("\n").length, "header, its rule and the " + shipped + " shipped routes:\n" + routes);
            assertTrue(routes.lines().anyMatch(l -> l.matches("http-ingest\\s+\\|\\s+http-ingest\\.camel\\.yaml\\s+\\|\\s+Started\\s+\\|\\s+1\\s+\\|\\s+0.*")), routes);
            assertTrue(console.run("mqtt:integration-list").contains("line 1"));
            assertTrue(console.run("mqtt:integration-test " + integration).startsWith("failed: refused"));
            assertTrue(console.run("mqtt:queue-stats").lines().anyMatch(l -> l.matches("stored\\s+\\|\\s+2")));
            assertTrue(console.run("mqtt:parser-list").contains("vendor-nested"));
            assertTrue(console.run("mqtt:subscription-list").startsWith("INTEGRATION"));
            String sinks = console.run("mqtt:sink-list");
            assertTrue(sinks.startsWith("ID") && sinks.contains("0 sinks, 0 delivered by this node"), sinks);
            assertTrue(console.run("mqtt:route-reload --validate http-ingest.camel.yaml").startsWith("valid      http-ingest.camel.yaml: route http-ingest"));
            assertTrue(console.run("mqtt:route-reload").contains("unchanged  api-integrations.camel.yaml"));
            assertTrue(console.run("mqtt:dead-letters").startsWith("ID"));
            System.out.println("Console session against the built assembly:\n" + console.transcript());

            assertEquals(0, karaf.stop(Duration.ofSeconds(60)));
        }
    }

    /** User or key lines that are not comments or group definitions. */
    private static List<String> enabledUsers(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("_g_")).toList();
    }

    private static Optional<InetAddress> nonLoopbackAddress() throws IOException {
        for (NetworkInterface nic : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                    return Optional.of(a);
                }
            }
        }
        return Optional.empty();
    }
}
