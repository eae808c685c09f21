package io.mqttintegration.spi.broker;

import java.util.UUID;

/** A device the hosted broker let in: its username and the credential's organization and integration. */
public record DeviceIdentity(String username, UUID credentialId, UUID organizationId, UUID integrationId) {
}
