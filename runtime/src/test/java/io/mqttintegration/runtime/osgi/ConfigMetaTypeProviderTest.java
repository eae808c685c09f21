package io.mqttintegration.runtime.osgi;

import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.spi.config.ConfigMetaTypeProvider;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.runtime.config.ProductConfig;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/** What Karaf's config:meta shows for our PIDs is made from the key declarations: every key, its default, its range. */
class ConfigMetaTypeProviderTest {

    private final ConfigMetaTypeProvider provider = new ConfigMetaTypeProvider(RuntimeHarness.ALL_PIDS);

    @Test
    void everyPidListsEveryKeyWithItsDefault() {
        assertEquals(RuntimeHarness.ALL_PIDS.stream().map(ConfigPid::pid).toList(), Arrays.asList(provider.pids()));
        for (ConfigPid pid : RuntimeHarness.ALL_PIDS) {
            ObjectClassDefinition definition = provider.getObjectClassDefinition(pid.pid(), null);
            Map<String, String> defaults = new TreeMap<>();
            for (AttributeDefinition key : definition.getAttributeDefinitions(ObjectClassDefinition.ALL)) {
                defaults.put(key.getID(), key.getDefaultValue()[0]);
            }
            Map<String, String> declared = new TreeMap<>();
            pid.keys().forEach(k -> declared.put(k.name(), k.defaultValue()));
            assertEquals(declared, defaults, pid.pid());
            assertNull(definition.getAttributeDefinitions(ObjectClassDefinition.REQUIRED), "every key has a default");
        }
        assertNull(provider.getObjectClassDefinition("org.ops4j.datasource-mqi", null), "pax-jdbc's PID is not ours");
    }

    @Test
    void aKeyCarriesItsTypeRangeAndVariable() {
        AttributeDefinition port = key("mqtt.integration.http", "http.port");
        assertEquals(AttributeDefinition.INTEGER, port.getType());
        assertArrayEquals(new String[] {"8080"}, port.getDefaultValue());
        assertTrue(port.getDescription().contains("(1 to 65535)") && port.getDescription().contains("MQI_HTTP_PORT"),
                port.getDescription());
        assertEquals("", port.validate("8443"));
        assertTrue(port.validate("0").contains("'http.port' is 0"), port.validate("0"));
        assertEquals(AttributeDefinition.BOOLEAN, key("mqtt.integration.routes", "routes.reload.enabled").getType());
        assertEquals(AttributeDefinition.STRING, key("mqtt.integration.security", "security.operatorKey").getType());
    }

    private AttributeDefinition key(String pid, String name) {
        return Arrays.stream(provider.getObjectClassDefinition(pid, null).getAttributeDefinitions(ObjectClassDefinition.ALL))
                .filter(a -> a.getID().equals(name)).findFirst().orElseThrow();
    }
}
