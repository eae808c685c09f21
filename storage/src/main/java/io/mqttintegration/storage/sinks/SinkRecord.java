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
 * @param include       what it forwards: {@code data} (stored messages), {@code events} (device presence
 *                      transitions, written into its outbox by the presence engine) or {@code both}
 * @param paused        delivery stops; the backlog keeps filling
 * @param maxAttempts   deliveries of one message before it becomes a sink dead letter
 */
public record SinkRecord(UUID id, UUID organizationId, UUID integrationId, String name, String kind, String settingsJson,
        byte[] sealedSecrets, String topicFilter, String deviceId, String body, String include, boolean paused, int maxAttempts,
        OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    /** What a sink forwards when it does not say: the stored messages, as before presence events existed. */
    public static final String DATA = "data";

    /** A sink that forwards data only (stored messages), as every sink did before presence events. */
    public SinkRecord(UUID id, UUID organizationId, UUID integrationId, String name, String kind, String settingsJson,
            byte[] sealedSecrets, String topicFilter, String deviceId, String body, boolean paused, int maxAttempts,
            OffsetDateTime createdAt, OffsetDateTime updatedAt) {
        this(id, organizationId, integrationId, name, kind, settingsJson, sealedSecrets, topicFilter, deviceId, body, DATA, paused,
                maxAttempts, createdAt, updatedAt);
    }

    public SinkRecord withPaused(boolean value) {
        return new SinkRecord(id, organizationId, integrationId, name, kind, settingsJson, sealedSecrets, topicFilter, deviceId, body,
                include, value, maxAttempts, createdAt, updatedAt);
    }
}
