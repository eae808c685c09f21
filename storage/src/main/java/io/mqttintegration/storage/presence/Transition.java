package io.mqttintegration.storage.presence;

import java.util.UUID;

/** A transition a presence statement recorded (its row of device_transitions). */
public record Transition(UUID integrationId, String deviceId, String state, String reason) {

    public DeviceKey key() {
        return new DeviceKey(integrationId, deviceId);
    }
}
