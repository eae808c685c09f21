package io.mqttintegration.storage.presence;

import java.time.Instant;
import java.util.UUID;

/**
 * A device's newest stored message since the last flush.
 *
 * @param source http, mqtt or hosted
 */
public record Seen(UUID organizationId, UUID integrationId, String deviceId, String source, Instant at) {

    public DeviceKey key() {
        return new DeviceKey(integrationId, deviceId);
    }
}
