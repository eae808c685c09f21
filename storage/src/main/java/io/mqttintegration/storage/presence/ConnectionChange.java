package io.mqttintegration.storage.presence;

import java.time.Instant;
import java.util.UUID;

/**
 * A hosted connection admitted ({@code reason} null) or ended (with its reason's label) by this
 * node's broker.
 */
public record ConnectionChange(UUID organizationId, UUID integrationId, String deviceId, String connectionId, String clientId,
        String remoteAddress, Instant at, String reason, boolean willPublished) {

    public boolean connect() {
        return reason == null;
    }

    public DeviceKey key() {
        return new DeviceKey(integrationId, deviceId);
    }
}
