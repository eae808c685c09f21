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
}
