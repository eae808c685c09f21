package io.mqttintegration.storage.tenants;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** An API key as it may be shown: never the key or its hash. */
public record ApiKeyRecord(UUID id, UUID organizationId, UUID integrationId, String name, String prefix,
        List<String> scopes, OffsetDateTime createdAt, OffsetDateTime revokedAt) {
}
