package io.mqttintegration.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void readsTypedValuesAndNamesTheKeyThatIsWrong() {
        Settings s = new Settings(Map.of("http.port", " 8080 ", "routes.reload.enabled", "true", "bad", "x"));
        assertEquals(8080, s.integer("http.port", 1, 65535));
        assertTrue(s.flag("routes.reload.enabled"));

        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.integer("http.port", 1, 100))
                .getMessage().contains("'http.port' is 8080"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.integer("bad", 1, 2))
                .getMessage().contains("'bad' is not a whole number"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.text("missing"))
                .getMessage().contains("'missing' is missing"));
    }

    @Test
    void secretsAreReferencesToTheEnvironmentOrAFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home) throws Exception {
        java.nio.file.Files.writeString(home.resolve("master.key"), "from-a-file\n");
        Settings s = new Settings(Map.of("a", "env:MQI_TEST_SECRET", "b", "file:master.key", "c", "literal", "d", "env:UNSET",
                "e", "file:missing.key"));
        Map<String, String> env = Map.of("MQI_TEST_SECRET", "from-the-env");
        assertEquals("from-the-env", s.secret("a", home, env::get));
        assertEquals("from-a-file", s.secret("b", home, env::get));
        assertEquals("literal", s.secret("c", home, env::get));
        assertEquals(null, s.secret("d", home, env::get), "an unset variable is no secret (one is generated)");
        assertEquals(null, s.secret("absent", home, env::get));
        String error = assertThrows(IllegalArgumentException.class, () -> s.secret("e", home, env::get)).getMessage();
        assertTrue(error.contains("'e'") && error.contains("missing.key"), error);
        for (String key : new String[] {"security.operatorKey", "security.masterKey", "security.keyHashSecret",
                "http.tls.keyStorePassword"}) {
            assertTrue(RuntimeHarness.shippedDefaults().get(key).startsWith("env:"),
                    key + " ships as a reference, so config:list never shows a secret");
        }
    }

    @Test
    void theShippedDefaultsAreComplete() {
        Settings shipped = new Settings(RuntimeHarness.shippedDefaults());
        // every key ProductRuntime reads must have a default in etc/
        for (String key : new String[] {"http.host", "http.port", "http.maxBodyBytes", "http.workerThreads",
                "ingest.queue.size", "ingest.batch.size", "ingest.writers", "ingest.writers.overlapAt",
                "ingest.request.maxMessages", "ingest.commit.timeoutMs", "ingest.retryAfterSeconds", "routes.dir",
                "routes.reload.enabled", "routes.reload.intervalMs", "mqtt.subscription.syncSeconds", "storage.partitions.daysAhead",
                "storage.maintenance.intervalMinutes", "storage.lockTimeoutMs", "retention.days", "retention.deadLetterDays",
                "retention.activityDays", "retention.purge.batchSize", "retention.purge.pauseMs"}) {
            assertTrue(!shipped.text(key).isEmpty(), key);
        }
        assertEquals(262_144, shipped.integer("http.maxBodyBytes", 1, Integer.MAX_VALUE), "256 KiB by default");
        assertEquals(5, shipped.integer("mqtt.subscription.syncSeconds", 0, 3600), "nodes learn of new subscriptions within 5 s");
        assertTrue(shipped.asProperties().containsKey("mqtt.nodeId"), "mqtt.nodeId is declared");
        assertEquals(null, shipped.optional("mqtt.nodeId"), "empty by default: generated once per node");
    }
}
