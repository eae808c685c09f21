package io.mqttintegration.storage.tenants;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * An integration row: non-secret settings as JSON text, and the sealed secrets (AES-GCM, see
 * SecretBox) exactly as stored.
 */
public record IntegrationRecord(UUID id, UUID organizationId, String name, String type, String settingsJson,
        byte[] sealedSecrets, boolean enabled, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
}
