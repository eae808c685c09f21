package io.mqttintegration.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain Apache Karaf 4.4.8 (the distribution from Maven Central, untouched but for its SSH port,
 * an operator's SSH key and the Maven repository it may read) takes the service from its console:
 * feature:repo-add, feature:install, the API answers; feature:uninstall stops every route and
 * closes every MQTT session.
 */
class StockKarafIT {

    private static final String OPERATOR_KEY = "stock-operator-key-0123456789-abcdefgh";

    @TempDir
    Path work;

    @Test
    void aStockKarafInstallsTheFeatureFromItsConsoleAndUninstallsItCleanly() throws Exception {
        Path stock = Path.of(System.getProperty("mqi.stock.karaf.dir"));
        // The feature repository and every bundle it names, in a Maven repository layout: the built
        // assembly's system/ folder here, an operator's Nexus or ~/.m2 (after mvn install) elsewhere.
        Path repository = Path.of(System.getProperty("mqi.karaf.dir")).resolve("system").toAbsolutePath();
        String version = System.getProperty("mqi.version");

        EmbeddedDatabase postgres = TestDatabase.server();
        Map<String, String> db = KarafProcess.databaseEnv(postgres, "mqi_stock", "stock-db-pw");
        postgres.requirePassword("mqi_stock");
        // Stock Karaf has no bin/setenv of ours: the operator gives pgjdbc a pgpass file.
        Path pgpass = work.resolve("pgpass");
        Files.writeString(pgpass, "*:*:*:mqi_stock:stock-db-pw\n");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> env = new HashMap<>(Map.of("MQI_DB_URL", db.get("MQI_DB_URL"), "MQI_DB_USER", "mqi_stock",
                "PGPASSFILE", pgpass.toString(), "MQI_OPERATOR_KEY", OPERATOR_KEY));

        try (MosquittoBroker broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of());
                KarafProcess karaf = new KarafProcess(stock, work, allowing(env, "127.0.0.1:" + broker.port()))) {
            edit(karaf.home.resolve("etc/org.apache.karaf.shell.cfg"), "sshPort = 8101", "sshPort = " + karaf.sshPort);
            edit(karaf.home.resolve("etc/org.apache.karaf.shell.cfg"), "sshHost = 0.0.0.0", "sshHost = 127.0.0.1");
            edit(karaf.home.resolve("etc/org.apache.karaf.management.cfg"), "rmiRegistryPort = 1099",
                    "rmiRegistryPort = " + KarafProcess.freePort());
            edit(karaf.home.resolve("etc/org.apache.karaf.management.cfg"), "rmiServerPort = 44444",
                    "rmiServerPort = " + KarafProcess.freePort());
            edit(karaf.home.resolve("etc/org.ops4j.pax.url.mvn.cfg"), "@id=child.system.repository@snapshots",
                    "@id=child.system.repository@snapshots, \\\n    " + repository.toUri() + "@id=mqi@snapshots");
            KarafConsole console = KarafConsole.enable(karaf.home, work, karaf.sshPort);
            karaf.start();
            console.await("feature:list -i", out -> out.contains("ssh "), Duration.ofSeconds(90));
            console.clearTranscript();

            console.run("feature:repo-add mvn:io.mqttintegration/mqtt-integration-features/" + version + "/xml/features");
            console.run("feature:install mqtt-integration");
            karaf.awaitHealthy(KarafProcess.BOOT_TIMEOUT);
            assertTrue(karaf.send("GET", "/health", OPERATOR_KEY, null).body().contains("\"database\":{\"status\":\"up\""));
            console.await("mqtt:route-list", out -> out.contains("http-ingest"), Duration.ofSeconds(30));
            // Bundles by role: the spi, the service, and the console commands (Karaf's shell is here); not the broker.
            assertEquals(List.of("io.mqttintegration.console", "io.mqttintegration.runtime", "io.mqttintegration.spi"), ours(console));
            // Without the broker's feature the console still has every command; device-list lists device presence
            // and says the broker is not running here.
            console.await("mqtt:device-list", out -> out.contains("not running"), Duration.ofSeconds(10));

            // The hosted broker's feature, its own bundle (Artemis embedded there): a device publishes.
            console.run("feature:install mqtt-integration-broker");
            assertEquals(List.of("io.mqttintegration.broker", "io.mqttintegration.console", "io.mqttintegration.runtime",
                    "io.mqttintegration.spi"), ours(console));
            String devOrg = KarafProcess.field(karaf.send("POST", "/api/v1/organizations", OPERATOR_KEY, "{\"name\":\"devices\"}"), "id");
            String devAdmin = KarafProcess.field(karaf.send("POST", "/api/v1/organizations/" + devOrg + "/api-keys", OPERATOR_KEY,
                    "{\"name\":\"admin\",\"scopes\":[\"admin\"]}"), "key");
            String devIntegration = KarafProcess.field(karaf.send("POST", "/api/v1/integrations", devAdmin,
                    "{\"name\":\"devices\",\"settings\":{\"host\":\"broker.example\"}}"), "id");
            com.fasterxml.jackson.databind.JsonNode credential = io.mqttintegration.parsers.Json.strict().readTree(karaf.send("POST",
                    "/api/v1/integrations/" + devIntegration + "/credentials", devAdmin, null).body());
            String user = credential.path("username").asText();
            DeviceClient.Result published;
            long brokerBy = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            do {
                published = DeviceClient.publish(karaf.brokerPort, user, credential.path("password").asText(),
                        "devices/" + user + "/telemetry", "{\"t\":1}");
                if (published.exitCode() != 0) {
                    Thread.sleep(500);
                }
            } while (published.exitCode() != 0 && System.nanoTime() < brokerBy);
            assertEquals(0, published.exitCode(), "a device published to the hosted broker: " + published.output());
            console.await("mqtt:device-list", out -> out.contains(" connected") && !out.contains("not running"), Duration.ofSeconds(10));

            // A live MQTT session, so uninstalling has one to close.
            String org = KarafProcess.field(karaf.send("POST", "/api/v1/organizations", OPERATOR_KEY, "{\"name\":\"stock\"}"), "id");
            String admin = KarafProcess.field(karaf.send("POST", "/api/v1/organizations/" + org + "/api-keys", OPERATOR_KEY,
                    "{\"name\":\"admin\",\"scopes\":[\"admin\"]}"), "key");
            String integration = KarafProcess.field(karaf.send("POST", "/api/v1/integrations", admin,
                    "{\"name\":\"b\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + broker.port() + "}}"), "id");
            assertEquals(200, karaf.send("POST", "/api/v1/integrations/" + integration + "/subscribe", admin,
                    "{\"topics\":[\"stock/#\"],\"qos\":1}").statusCode());
            console.await("mqtt:subscription-list", out -> out.contains(" connected "), Duration.ofSeconds(30));
            String clientId = "mqi-" + integration.replace("-", "").substring(0, 19);

            console.run("feature:uninstall mqtt-integration-broker");
            console.run("feature:uninstall mqtt-integration");
            assertThrows(IOException.class, () -> karaf.get("/health"), "the HTTP API is gone");
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!broker.log().contains("Client " + clientId + " disconnected") && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            assertTrue(broker.log().contains("Client " + clientId + " disconnected"), "uninstalling closed the MQTT session");
            assertTrue(console.run("mqtt:route-list").contains("Command not found"), "the console commands went with the feature");
            assertEquals(List.of(), ours(console), "every bundle of ours is uninstalled");
            System.out.println("Stock Karaf 4.4.8 console session:\n" + console.transcript());
            assertEquals(0, karaf.stop(Duration.ofSeconds(60)));
        }
    }

    /** Our bundles that are Active, by symbolic name, sorted (bundle:list -s prints one per line). */
    private static List<String> ours(KarafConsole console) throws Exception {
        return console.run("bundle:list -s").lines().filter(l -> l.contains("io.mqttintegration."))
                .peek(l -> assertTrue(l.contains("Active"), "not active: " + l))
                .map(l -> l.substring(l.indexOf("io.mqttintegration.")).trim().split("\\s")[0]).sorted().toList();
    }

    /** The environment with the test's broker on the allow-list (the shipped configuration refuses 127.0.0.1). */
    private static Map<String, String> allowing(Map<String, String> env, String target) {
        Map<String, String> copy = new HashMap<>(env);
        copy.put("MQI_ALLOWED_TARGETS", target);
        return copy;
    }

    private static void edit(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        if (!text.contains(from)) {
            throw new IllegalStateException(file + " has no '" + from + "'");
        }
        Files.writeString(file, text.replace(from, to));
    }
}
