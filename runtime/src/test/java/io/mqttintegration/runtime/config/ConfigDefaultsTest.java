package io.mqttintegration.runtime.config;

import io.mqttintegration.broker.BrokerConfig;
import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.spi.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The defaults live in the config records: a PID that sets nothing, or an old file that lacks the
 * newer keys, reads as the defaults; the environment and then the PID override them; a wrong value
 * is refused with its key named, wherever it comes from.
 */
class ConfigDefaultsTest {

    private static final Path HOME = Path.of("/opt/karaf");

    private static Settings pids(Map<String, String> values) {
        return new Settings(values, name -> null);
    }

    private static Settings pids(Map<String, String> values, Map<String, String> environment) {
        return new Settings(values, environment::get);
    }

    @Test
    void emptyPidsReadAsTheDefaults() {
        ProductConfig c = ProductConfig.from(pids(Map.of()), HOME);

        assertEquals(ProductConfig.from(pids(RuntimeHarness.shippedDefaults()), HOME), c);
        assertEquals(new IngestConfig(10_000, 1000, 3, 200, 1000, 5000, 1, new IngestConfig.Storage(7, 60, 2000, 0, 0, 0, 5000, 100)),
                c.ingest());
        assertEquals(8080, c.http().port());
        assertEquals(HOME.resolve("routes"), c.routes().routesDir());
        assertEquals(1000, c.mqtt().receiveMaximum());
        assertNull(c.security().operatorKey(), "env:MQI_OPERATOR_KEY, unset: generated");
        assertEquals(new BrokerConfig(true, "127.0.0.1", 1883, 8883, null, null, HOME.resolve("data/broker"), 500, 2, 2),
                BrokerConfig.from(pids(Map.of()), HOME));
    }

    @Test
    void anOldFileWithoutTheNewerKeysGetsTheirDefaults() {
        // etc/mqtt.integration.ingest.cfg as shipped before the writers, partitions and retention keys
        Map<String, String> oldIngest = Map.of("ingest.queue.size", "5000", "ingest.batch.size", "500",
                "ingest.request.maxMessages", "1000", "ingest.commit.timeoutMs", "5000", "ingest.retryAfterSeconds", "1");

        IngestConfig ingest = IngestConfig.from(pids(oldIngest));

        assertEquals(new IngestConfig(5000, 500, 3, 200, 1000, 5000, 1, new IngestConfig.Storage(7, 60, 2000, 0, 0, 0, 5000, 100)),
                ingest, "what the old file sets, and the defaults of what it lacks");
    }

    @Test
    void theEnvironmentOverridesADefaultAndThePidOverridesTheEnvironment() {
        Map<String, String> env = Map.of("MQI_HTTP_PORT", "9090", "MQI_INGEST_WRITERS", "4", "MQI_OPERATOR_KEY", "from-the-env",
                "MQI_INGEST_REQUEST_MAX_MESSAGES", "7");

        Settings fromEnv = pids(Map.of(), env);
        Settings fromPid = pids(Map.of("http.port", "7070"), env);

        assertEquals(9090, HttpConfig.from(fromEnv, HOME).port());
        assertEquals("env MQI_HTTP_PORT", fromEnv.source(HttpConfig.PORT));
        assertEquals(4, IngestConfig.from(fromEnv).writers());
        assertEquals("from-the-env", SecurityConfig.from(fromEnv, HOME).operatorKey(), "the default reference reads the variable");
        assertEquals(1000, IngestConfig.from(fromEnv).requestMaxMessages(), "a key without a variable reads none");
        assertEquals("default", fromEnv.source(IngestConfig.REQUEST_MAX_MESSAGES));
        assertEquals(7070, HttpConfig.from(fromPid, HOME).port(), "etc/ wins over the variable");
        assertEquals("etc", fromPid.source(HttpConfig.PORT));
    }

    @Test
    void aBadOverrideIsRefusedWithItsKeyNamedWhereverItComesFrom() {
        Map<Settings, String> wrong = Map.of(
                pids(Map.of("ingest.writers", "65")), "'ingest.writers' is 65; it must be between 1 and 64",
                pids(Map.of(), Map.of("MQI_INGEST_QUEUE_SIZE", "0")), "'ingest.queue.size' is 0",
                pids(Map.of(), Map.of("MQI_ALLOW_PRIVATE_TARGETS", "yes")), "'mqtt.allowPrivateTargets' must be true or false",
                pids(Map.of("http.host", "")), "'http.host' is empty",
                pids(Map.of("http.port", "eighty")), "'http.port' is not a whole number");
        wrong.forEach((settings, message) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProductConfig.from(settings, HOME), message);
            assertTrue(e.getMessage().contains(message), e.getMessage());
        });
    }

    @Test
    void theKeyOnlyARouteFileReadsIsValidatedToo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProductConfig.from(pids(Map.of("mqtt.subscription.receiveMaximum", "0")), HOME));
        assertTrue(e.getMessage().contains("'mqtt.subscription.receiveMaximum' is 0"), e.getMessage());
    }

    @Test
    void placeholdersSeeTheValuesTheServiceUses() {
        Properties empty = pids(Map.of()).asProperties(ProductConfig.PIDS);
        assertEquals("10000", empty.get("ingest.queue.size"), "a route's {{ingest.queue.size}} resolves without etc/");
        assertEquals("1000", empty.get("mqtt.subscription.receiveMaximum"));
        assertEquals("", empty.get("mqtt.nodeId"));

        Properties set = pids(Map.of("ingest.writers", "2", "my.route.key", "x"), Map.of("MQI_INGEST_QUEUE_SIZE", "50")).asProperties(ProductConfig.PIDS);
        assertEquals("50", set.get("ingest.queue.size"));
        assertEquals("2", set.get("ingest.writers"));
        assertEquals("x", set.get("my.route.key"), "an integrator's own key stays a placeholder");
    }

    @Test
    void theLogShowsWhereValuesComeFromButNoSecret() {
        Settings s = pids(Map.of("security.masterKey", "literal-secret-value", "security.dir", "var/mqi"),
                Map.of("MQI_HTTP_PORT", "9090", "MQI_OPERATOR_KEY", "op-secret-value"));

        String log = String.join("\n", s.describe(ProductConfig.PIDS));

        assertTrue(log.contains("http.port=9090 (env MQI_HTTP_PORT)"), log);
        assertTrue(log.contains("security.dir=var/mqi (etc)"), log);
        assertTrue(log.contains("ingest.queue.size=10000,"), log);
        assertTrue(log.contains("security.operatorKey=env:MQI_OPERATOR_KEY"), log);
        assertFalse(log.contains("secret-value"), log);
        assertEquals(ProductConfig.PIDS.size(), s.describe(ProductConfig.PIDS).size(), "one line per PID");
    }

    @Test
    void aMistypedKeyIsReported() {
        Settings s = pids(Map.of("ingest.queue.sise", "5", "http.port", "8080", "my.route.key", "x", "service.pid", "mqtt.integration.http"));
        assertEquals(List.of("ingest.queue.sise"), s.undeclared(ProductConfig.PIDS));
    }

    @Test
    void everyDefaultIsWithinItsOwnRangeAndEveryKeyIsDeclaredOnce() {
        Set<String> names = new TreeSet<>();
        for (ConfigPid pid : RuntimeHarness.ALL_PIDS) {
            for (ConfigKey key : pid.keys()) {
                assertNull(key.problem(key.defaultValue()), key.name());
                assertTrue(names.add(key.name()), key.name() + " is declared twice");
                assertEquals(pid.pid(), key.pid());
                assertFalse(key.description().isBlank(), key.name());
            }
        }
        assertThrows(IllegalStateException.class, () -> new ConfigPid("p", "d").integer("k", 0, 1, 2, "out of its range"));
    }

    /** A key a route file reads but no record declares would go unchecked: every placeholder with a dot is a key. */
    @Test
    void everyPlaceholderOfTheShippedRouteFilesIsADeclaredKey() throws IOException {
        Set<String> declared = new TreeSet<>();
        ProductConfig.PIDS.forEach(pid -> pid.keys().forEach(k -> declared.add(k.name())));
        Set<String> used = new TreeSet<>();
        Pattern placeholder = Pattern.compile("\\{\\{([A-Za-z0-9]+\\.[A-Za-z0-9.]+)}}");
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("mqi.routes.dir")))) {
            for (Path file : files.toList()) {
                Matcher m = placeholder.matcher(Files.readString(file));
                while (m.find()) {
                    used.add(m.group(1));
                }
            }
        }
        assertTrue(used.contains("ingest.queue.size") && used.contains("mqtt.subscription.receiveMaximum"), used.toString());
        used.removeAll(declared);
        assertEquals(Set.of(), used, "placeholders of routes/ that no config record declares (and so checks)");
    }
}
