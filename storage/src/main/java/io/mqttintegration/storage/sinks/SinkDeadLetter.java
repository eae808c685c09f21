package io.mqttintegration.storage.sinks;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A message (or a device presence event) a sink's receiver did not take: after its last attempt, or
 * over the sink's backlog bound.
 *
 * @param messageId the stored message's id, or the transition's
 * @param eventJson the event itself, or null for a message (a replay sends it as it was)
 */
public record SinkDeadLetter(UUID id, UUID sinkId, UUID messageId, OffsetDateTime receivedAt, String deviceId, int attempts,
        String reason, OffsetDateTime failedAt, OffsetDateTime replayedAt, String eventJson) {
}
