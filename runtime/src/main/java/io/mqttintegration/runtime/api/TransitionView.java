package io.mqttintegration.runtime.api;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One transition of a device, for the OpenAPI document ({@link DeviceView}): details may hold clientId,
 * remoteAddress, willPublished, previousNode.
 */
public record TransitionView(UUID id, String state, String reason, String node, Instant at, Map<String, Object> details) {
}
