package io.mqttintegration.storage.presence;

import java.util.UUID;

/** A device of an integration: the key of its presence. */
public record DeviceKey(UUID integrationId, String deviceId) {
}
