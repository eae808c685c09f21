package io.mqttintegration.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.spi.config.Settings;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** One validated record per PID, read from the shipped etc/ files (their env defaults) without starting anything. */
class ProductConfigTest {

    private static final Path HOME = Path.of("/opt/karaf");

    private static Settings shippedWith(Map<String, String> overrides) {
        Map<String, Object> values = new TreeMap<>(RuntimeHarness.shippedDefaults());
        values.putAll(overrides);
        return new Settings(values);
    }

    @Test
    void theShippedPidsReadIntoTheirRecords() {
        ProductConfig c = ProductConfig.from(shippedWith(Map.of()), HOME);

        assertEquals(262_144, c.http().maxBodyBytes(), "256 KiB");
        assertNull(c.http().keyStore(), "plain HTTP unless a key store is set");
        assertEquals(new IngestConfig(10_000, 1000, 3, 200, 1000, 5000, 1, new IngestConfig.Storage(7, 60, 2000, 0, 0, 0, 5000, 100)), c.ingest());
        assertEquals(5, c.ingest().commitTimeoutSeconds());
        assertFalse(c.mqtt().allowPrivateTargets(), "private broker addresses refused by default");
        assertEquals(5, c.mqtt().syncSeconds());
        assertNull(c.mqtt().nodeId(), "generated once per node");
        assertTrue(c.routes().routesDir().startsWith(HOME) && c.routes().parsersDir().startsWith(HOME), c.routes().toString());
        assertTrue(c.security().dir().startsWith(HOME), c.security().toString());
        assertTrue(c.quotas().integrations() <= QuotasConfig.MAX_DEFAULT_INTEGRATIONS);
    }

    @Test
    void aValueOutOfRangeStopsTheStartWithItsKeyNamed() {
        for (Map.Entry<String, String> wrong : Map.of("ingest.writers", "65", "http.port", "0", "security.keyCacheMillis", "1001",
                "quotas.integrations", "251", "routes.reload.intervalMs", "10", "mqtt.allowPrivateTargets", "yes",
                "storage.partitions.daysAhead", "0", "retention.days", "-1").entrySet()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ProductConfig.from(shippedWith(Map.of(wrong.getKey(), wrong.getValue())), HOME), wrong.toString());
            assertTrue(e.getMessage().contains("'" + wrong.getKey() + "'"), e.getMessage());
        }
    }

    @Test
    void secretsAreReadButNeverShown() {
        Settings s = shippedWith(Map.of("security.operatorKey", "op-secret-value", "security.masterKey", "master-secret-value",
                "http.tls.keyStore", "etc/keystore.p12", "http.tls.keyStorePassword", "store-secret-value"));

        ProductConfig c = ProductConfig.from(s, HOME);

        assertEquals("op-secret-value", c.security().operatorKey());
        assertEquals(HOME.resolve("etc/keystore.p12"), c.http().keyStore());
        assertEquals("store-secret-value", c.http().keyStorePassword());
        assertFalse(c.toString().contains("secret-value"), c.toString());
    }
}
