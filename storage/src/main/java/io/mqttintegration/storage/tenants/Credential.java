package io.mqttintegration.storage.tenants;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A hosted device credential as it may be shown: never the password or its hash. */
public record Credential(UUID id, String username, OffsetDateTime createdAt, OffsetDateTime revokedAt) {
}
