package io.mqttintegration.runtime.api;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * An integration as {@code GET /api/v1/integrations/{id}} answers it, for the OpenAPI document
 * ({@link IntegrationsApi} writes the JSON): its settings without secrets (a set password shows as
 * {@code ********}), and its subscription, null when it has none.
 */
public record IntegrationView(UUID id, String name, String type, boolean enabled, Map<String, Object> settings, Instant createdAt,
        Instant updatedAt, SubscriptionView subscription) {
}
