package io.mqttintegration.runtime.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A device as {@code /api/v1/devices} answers it, for the OpenAPI document (the operations name it as
 * their answer's model; {@link DevicesApi} writes the JSON). Times are ISO-8601 UTC; node, clientId and
 * remoteAddress are those of the hosted connection holding it, null otherwise; lastSource is http, mqtt
 * or hosted. {@code transitions} is in {@code GET /api/v1/devices/{id}} only.
 */
public record DeviceView(UUID id, UUID integrationId, String deviceId, String state, Instant since, String reason, Instant lastSeen,
        String lastSource, String node, String clientId, String remoteAddress, List<TransitionView> transitions) {
}
