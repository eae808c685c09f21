package io.mqttintegration.storage;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A kept dead letter as stored in {@code dead_letters}; {@code replayedAt} is null until replayed. */
public record DeadLetter(UUID id, UUID messageId, UUID organizationId, UUID integrationId, String source, String topic,
        byte[] payload, String reason, String routeId, OffsetDateTime createdAt, OffsetDateTime replayedAt) {
}
