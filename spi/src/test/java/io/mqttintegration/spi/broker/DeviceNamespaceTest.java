package io.mqttintegration.spi.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeviceNamespaceTest {

    @Test
    void allowsItsOwnNamespaceAndEverythingUnderIt() {
        assertTrue(DeviceNamespace.allows("dev-1", "devices.dev-1"));
        assertTrue(DeviceNamespace.allows("dev-1", "devices.dev-1.telemetry"));
        assertTrue(DeviceNamespace.allows("dev-1", "devices.dev-1.#"));
        assertTrue(DeviceNamespace.allows("dev-1", "devices.dev-1.*.state"));
        assertTrue(DeviceNamespace.allows("dev-1", "devices.dev-1.#::dev-1.devices.dev-1.#"), "a subscription queue, fully qualified");
    }

    @Test
    void refusesOtherDevicesPrefixesAndWildcardsAbove() {
        assertFalse(DeviceNamespace.allows("dev-1", "devices.dev-2.telemetry"), "another device");
        assertFalse(DeviceNamespace.allows("dev-1", "devices.dev-10.telemetry"), "a username it is a prefix of");
        assertFalse(DeviceNamespace.allows("dev-1", "devices.#"));
        assertFalse(DeviceNamespace.allows("dev-1", "devices.*.telemetry"));
        assertFalse(DeviceNamespace.allows("dev-1", "#"));
        assertFalse(DeviceNamespace.allows("dev-1", "elsewhere"));
        assertFalse(DeviceNamespace.allows("dev-1", "$sys.mqtt.sessions"));
        assertFalse(DeviceNamespace.allows("dev-1", "devices.#::dev-1.devices.dev-1.#"), "the address counts, not the queue name");
        assertFalse(DeviceNamespace.allows("dev-1", null));
    }

    @Test
    void topicsAsPublishedFollowTheSameRule() {
        assertTrue(DeviceNamespace.allowsTopic("dev-1", "devices/dev-1"));
        assertTrue(DeviceNamespace.allowsTopic("dev-1", "devices/dev-1/a/b"));
        assertFalse(DeviceNamespace.allowsTopic("dev-1", "devices/dev-10/a"));
        assertFalse(DeviceNamespace.allowsTopic("dev-1", "devices/dev-2/a"));
        assertFalse(DeviceNamespace.allowsTopic("dev-1", "elsewhere"));
        assertFalse(DeviceNamespace.allowsTopic("a.b", "devices/a.b/t"));
    }

    @Test
    void usernamesThatCouldEscapeTheirNamespaceNameNone() {
        for (String bad : new String[] {"", "a.b", "a/b", "#", "*", "+", "a b", "dev-1.#", null}) {
            assertFalse(DeviceNamespace.isValidUsername(bad), String.valueOf(bad));
            assertFalse(DeviceNamespace.allows(bad, "devices." + bad + ".x"), String.valueOf(bad));
        }
        assertTrue(DeviceNamespace.isValidUsername("dev-775396d0a49de853"));
        assertEquals("devices/dev-1/#", DeviceNamespace.topicFilter("dev-1"));
    }
}
