package io.mqttintegration.storage.sinks;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A sink as stored: where an integration's stored messages are forwarded.
 *
 * @param kind          the route template that delivers it ({@code sink-<kind>})
 * @param settingsJson  the template's parameters that are not secret, a JSON object
 * @param sealedSecrets the secret ones, sealed (or null)
 * @param topicFilter   an MQTT topic filter the messages' topics must match
 * @param deviceId      only this device's messages, or null for every device
 * @param body          what the receiver gets: {@code raw}, {@code readings} or {@code cloudevents}
 * @param paused        delivery stops; the backlog keeps filling
 * @param maxAttempts   deliveries of one message before it becomes a sink dead letter
 */
public record SinkRecord(UUID id, UUID organizationId, UUID integrationId, String name, String kind, String settingsJson,
        byte[] sealedSecrets, String topicFilter, String deviceId, String body, boolean paused, int maxAttempts,
        OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public SinkRecord withPaused(boolean value) {
        return new SinkRecord(id, organizationId, integrationId, name, kind, settingsJson, sealedSecrets, topicFilter, deviceId, body,
                value, maxAttempts, createdAt, updatedAt);
    }
}
