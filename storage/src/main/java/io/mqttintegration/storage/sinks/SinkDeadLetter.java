package io.mqttintegration.storage.sinks;

import java.time.OffsetDateTime;
import java.util.UUID;

/** A message a sink's receiver did not take: after its last attempt, or over the sink's backlog bound. */
public record SinkDeadLetter(UUID id, UUID sinkId, UUID messageId, OffsetDateTime receivedAt, String deviceId, int attempts,
        String reason, OffsetDateTime failedAt, OffsetDateTime replayedAt) {
}
