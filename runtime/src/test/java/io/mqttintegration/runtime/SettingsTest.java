package io.mqttintegration.runtime;

import io.mqttintegration.spi.config.Settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.runtime.config.ProductConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    /** A declared key of the product, by name. */
    static ConfigKey key(String name) {
        return RuntimeHarness.ALL_PIDS.stream().flatMap(p -> p.keys().stream()).filter(k -> k.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not declared"));
    }

    @Test
    void readsTypedValuesAndNamesTheKeyThatIsWrong() {
        ConfigPid test = new ConfigPid("test", "keys of this test");
        ConfigKey port = test.integer("http.port", 1, 1, 100, "a port from 1 to 100");
        ConfigKey bad = test.integer("bad", 1, 1, 2, "a number");
        ConfigKey missing = test.text("missing", "its-default", "a text", null);
        Settings s = new Settings(Map.of("http.port", " 8080 ", "routes.reload.enabled", "true", "bad", "x"), name -> null);
        assertEquals(8080, s.integer(key("http.port")));
        assertTrue(s.flag(key("routes.reload.enabled")));

        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.integer(port))
                .getMessage().contains("'http.port' is 8080"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> s.integer(bad))
                .getMessage().contains("'bad' is not a whole number"));
        // Keys are no longer mandatory: a missing one reads as its default; an empty text is refused.
        assertEquals("its-default", s.text(missing));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Settings(Map.of("missing", " "), name -> null).text(missing))
                .getMessage().contains("'missing' is empty"));
    }

    @Test
    void secretsAreReferencesToTheEnvironmentOrAFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home) throws Exception {
        java.nio.file.Files.writeString(home.resolve("master.key"), "from-a-file\n");
        ConfigPid test = new ConfigPid("test", "secrets of this test");
        ConfigKey a = test.secret("a", "", "a secret");
        ConfigKey b = test.secret("b", "", "a secret");
        ConfigKey c = test.secret("c", "", "a secret");
        ConfigKey d = test.secret("d", "", "a secret");
        ConfigKey e = test.secret("e", "", "a secret");
        ConfigKey absent = test.secret("absent", "", "a secret");
        Map<String, String> env = Map.of("MQI_TEST_SECRET", "from-the-env");
        Settings s = new Settings(Map.of("a", "env:MQI_TEST_SECRET", "b", "file:master.key", "c", "literal", "d", "env:UNSET",
                "e", "file:missing.key"), env::get);
        assertEquals("from-the-env", s.secret(a, home));
        assertEquals("from-a-file", s.secret(b, home));
        assertEquals("literal", s.secret(c, home));
        assertEquals(null, s.secret(d, home), "an unset variable is no secret (one is generated)");
        assertEquals(null, s.secret(absent, home));
        String error = assertThrows(IllegalArgumentException.class, () -> s.secret(e, home)).getMessage();
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
        // every key ProductRuntime reads must have a default
        for (String name : new String[] {"http.host", "http.port", "http.maxBodyBytes", "http.workerThreads",
                "ingest.queue.size", "ingest.batch.size", "ingest.writers", "ingest.writers.overlapAt",
                "ingest.request.maxMessages", "ingest.commit.timeoutMs", "ingest.retryAfterSeconds", "routes.dir",
                "routes.reload.enabled", "routes.reload.intervalMs", "mqtt.subscription.syncSeconds", "storage.partitions.daysAhead",
                "storage.maintenance.intervalMinutes", "storage.lockTimeoutMs", "retention.days", "retention.deadLetterDays",
                "retention.activityDays", "retention.purge.batchSize", "retention.purge.pauseMs"}) {
            assertTrue(!shipped.value(key(name)).isEmpty(), name);
        }
        assertEquals(262_144, shipped.integer(key("http.maxBodyBytes")), "256 KiB by default");
        assertEquals(5, shipped.integer(key("mqtt.subscription.syncSeconds")), "nodes learn of new subscriptions within 5 s");
        assertTrue(shipped.asProperties(ProductConfig.PIDS).containsKey("mqtt.nodeId"), "mqtt.nodeId is declared");
        assertEquals(null, shipped.optional(key("mqtt.nodeId")), "empty by default: generated once per node");
    }
}
