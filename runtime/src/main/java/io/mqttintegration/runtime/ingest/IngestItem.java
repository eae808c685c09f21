package io.mqttintegration.runtime.ingest;

import java.time.Instant;
import java.util.UUID;

/**
 * One message of an ingestion request, read but not yet assigned: the integration it names (if
 * any) is checked against the caller's organization by {@link IngestTargets}.
 *
 * @param messageId the sender's own id for the message, or null
 * @param path where it stood in the request ("" or "[i].") for error messages
 */
public record IngestItem(String topic, byte[] payload, String contentType, UUID integrationId, String messageId,
        Instant receivedAt, String path) {
}
