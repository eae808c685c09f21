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
    void theShippedDefaultsAreComplete() {
        Settings shipped = new Settings(RuntimeHarness.shippedDefaults());
        // every key ProductRuntime reads must have a default in etc/
        for (String key : new String[] {"http.host", "http.port", "http.maxBodyBytes", "http.workerThreads",
                "ingest.queue.size", "ingest.queue.offerTimeoutMs", "ingest.batch.size", "ingest.batch.waitMs",
                "ingest.request.maxMessages", "ingest.commit.timeoutMs", "ingest.retryAfterSeconds", "routes.dir",
                "routes.reload.enabled", "routes.reload.intervalMs", "mqtt.subscription.syncSeconds"}) {
            assertTrue(!shipped.text(key).isEmpty(), key);
        }
        assertEquals(262_144, shipped.integer("http.maxBodyBytes", 1, Integer.MAX_VALUE), "256 KiB by default");
        assertEquals(5, shipped.integer("mqtt.subscription.syncSeconds", 0, 3600), "nodes learn of new subscriptions within 5 s");
        assertTrue(shipped.asProperties().containsKey("mqtt.nodeId"), "mqtt.nodeId is declared");
        assertEquals(null, shipped.optional("mqtt.nodeId"), "empty by default: generated once per node");
    }
}
