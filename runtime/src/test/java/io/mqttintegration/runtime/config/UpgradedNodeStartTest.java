package io.mqttintegration.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.spi.config.Settings;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node upgraded in place keeps its etc/ files (Karaf never overwrites them): with an old file that
 * lacks the newer keys, and PIDs that set nothing at all, the service starts on the defaults, and its
 * route files' placeholders resolve to them; a wrong override still stops the start, naming the key.
 */
class UpgradedNodeStartTest {

    @TempDir
    Path work;

    @Test
    void aNodeWithAnOldIngestFileAndEmptyPidsStartsOnTheDefaults() throws Exception {
        // Only the environment the assembly's tests give Karaf, and the ingest PID of an early release.
        Map<String, String> env = Map.of("MQI_HTTP_HOST", "127.0.0.1", "MQI_HTTP_PORT", Integer.toString(RuntimeHarness.freePort()),
                "MQI_OPERATOR_KEY", RuntimeHarness.OPERATOR_KEY);
        Map<String, String> oldIngest = Map.of("ingest.queue.size", "5000", "ingest.batch.size", "500",
                "ingest.request.maxMessages", "1000", "ingest.commit.timeoutMs", "5000", "ingest.retryAfterSeconds", "1");

        try (RuntimeHarness service = RuntimeHarness.startWith(TestDatabase.newDatabase(), work, new Settings(oldIngest, env::get),
                InetAddress::getAllByName)) {
            CamelContext camel = service.runtime.camelContext();
            assertEquals("5000", camel.resolvePropertyPlaceholders("{{ingest.queue.size}}"), "the old file's value");
            assertEquals("3", camel.resolvePropertyPlaceholders("{{ingest.writers}}"), "a key the old file lacks: its default");
            assertEquals("200", camel.resolvePropertyPlaceholders("{{ingest.writers.overlapAt}}"));
            assertEquals("1000", camel.resolvePropertyPlaceholders("{{mqtt.subscription.receiveMaximum}}"));
            assertEquals(ServiceStatus.Started, camel.getRouteController().getRouteStatus("ingest-pipeline"),
                    "the pipeline's route file, all placeholders, is running");

            service.withIngestKey(); // the operator key from MQI_OPERATOR_KEY, the default reference
            assertEquals(202, service.postJson("/api/v1/ingest",
                    "{\"topic\":\"site/devices/d1/telemetry\",\"payload\":{\"t\":20.5}}").statusCode(), "stored");
        }
    }

    @Test
    void aBadOverrideStillStopsTheStartNamingTheKey() {
        Map<Settings, String> wrong = Map.of(
                new Settings(Map.of("ingest.writers", "65"), name -> null), "'ingest.writers' is 65; it must be between 1 and 64",
                new Settings(Map.of(), Map.of("MQI_INGEST_QUEUE_SIZE", "0")::get), "'ingest.queue.size' is 0");
        wrong.forEach((settings, message) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RuntimeHarness.startWith(TestDatabase.newDatabase(), work, settings, InetAddress::getAllByName).close());
            assertTrue(e.getMessage().contains(message), e.getMessage());
        });
    }
}
