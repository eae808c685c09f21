package io.mqttintegration.parsers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopicDeviceIdTest {

    private final TopicDeviceId standard = TopicDeviceId.defaultPattern();

    @Test
    void findsTheLevelAfterDevices() {
        assertEquals(Optional.of("d-17"), standard.find("acme/devices/d-17/telemetry"));
        assertEquals(Optional.of("d-17"), standard.find("devices/d-17"));
    }

    @Test
    void findsNothingWithoutADevicesLevel() {
        assertEquals(Optional.empty(), standard.find("acme/sensors/d-17"));
        assertEquals(Optional.empty(), standard.find("mydevices/d-17/x"), "'devices' must be a whole level");
        assertEquals(Optional.empty(), standard.find("devices//x"));
    }

    @Test
    void customPatternNeedsOneGroup() {
        assertEquals(Optional.of("7"), new TopicDeviceId("^plant/(\\d+)/").find("plant/7/temp"));
        assertThrows(IllegalArgumentException.class, () -> new TopicDeviceId("plant/\\d+"));
    }

    @Test
    void templatesNameTheDeviceLevel() {
        assertEquals(Optional.of("d-7"), TopicDeviceId.of("devices/{deviceId}/+").find("devices/d-7/temp"));
        assertEquals(Optional.empty(), TopicDeviceId.of("devices/{deviceId}/+").find("devices/d-7/temp/x"), "+ is one level");
        assertEquals(Optional.of("d-7"), TopicDeviceId.of("acme/{deviceId}/#").find("acme/d-7/a/b"));
        assertEquals(Optional.of("d-7"), TopicDeviceId.of("acme/{deviceId}/#").find("acme/d-7"), "# matches the parent too");
        assertEquals(Optional.of("d.7"), TopicDeviceId.of("+/x.y/{deviceId}").find("s/x.y/d.7"), "literal dots are literal");
        assertEquals(Optional.empty(), TopicDeviceId.of("+/x.y/{deviceId}").find("s/xzy/d7"));
        assertEquals(Optional.of("42"), TopicDeviceId.of("^plant/(\\d+)$").find("plant/42"), "else a regex");
        assertEquals(Optional.of("d"), TopicDeviceId.of(null).find("a/devices/d/t"), "else the default");
    }
}
