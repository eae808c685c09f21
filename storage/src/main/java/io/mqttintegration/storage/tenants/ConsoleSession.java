package io.mqttintegration.storage.tenants;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * A live web console session as authentication reads it: the operator's, or an API key's with the
 * key's current organization, integration and scopes (read with the session, so a changed or revoked
 * key changes or ends its sessions at once).
 */
public record ConsoleSession(UUID id, String csrfToken, boolean operator, UUID organizationId, UUID keyId,
        UUID integrationId, List<String> scopes, OffsetDateTime expiresAt) {
}
