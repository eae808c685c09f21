package io.mqttintegration.storage.tenants;

import java.util.List;
import java.util.UUID;

/** What authentication needs of a live key: whose it is, what it may do, and its keyed hash. */
public record StoredKey(UUID id, UUID organizationId, UUID integrationId, List<String> scopes, byte[] hash) {
}
