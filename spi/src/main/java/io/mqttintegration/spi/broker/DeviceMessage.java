package io.mqttintegration.spi.broker;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A message a device published to the hosted broker, handed to the service to store.
 *
 * @param organizationId  the organization of the credential the device connected with, or null when
 *                        the credential is gone (the service keeps such a message as a dead letter)
 * @param integrationId   its integration, or null likewise
 * @param clientMessageId the broker's node id and message id: a message delivered again is not stored twice
 */
public record DeviceMessage(String topic, byte[] payload, String contentType, Instant receivedAt, UUID organizationId,
        UUID integrationId, String clientMessageId) {

    public DeviceMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }
}
