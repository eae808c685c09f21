package io.mqttintegration.storage;

import io.mqttintegration.parsers.Reading;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One message on its way from a source (HTTP ingestion, an MQTT subscription) to PostgreSQL.
 * Whoever accepted it waits on {@link #outcome()}: it completes only once the message's rows are
 * committed (or kept as a dead letter), or exceptionally when the database could not take it.
 */
public final class InboundMessage {

    /**
     * Where a message came from; stored as the lower-case name. MQTT: a subscription to an
     * organization's own broker; HOSTED: a device that published to the service's hosted broker.
     */
    public enum Source { HTTP, MQTT, HOSTED }

    /** What parsing made of the payload. */
    public enum ParseStatus { PARSED, FAILED, RAW }

    private final UUID id;
    private final Source source;
    private final String topic;
    private final byte[] payload;
    private final String contentType;
    private final Instant receivedAt;
    private final UUID organizationId;
    private final UUID integrationId;
    private final String clientMessageId;
    private final CompletableFuture<StoreOutcome> outcome = new CompletableFuture<>();

    private volatile ParseStatus parseStatus = ParseStatus.RAW;
    private volatile List<Reading> readings = List.of();
    private volatile String parseError;

    public InboundMessage(Source source, String topic, byte[] payload, String contentType, Instant receivedAt,
            UUID organizationId, UUID integrationId) {
        this(source, topic, payload, contentType, receivedAt, organizationId, integrationId, null);
    }

    /**
     * @param clientMessageId the sender's own id (null for none): stored once per integration; a
     *        message repeating it is accepted and not stored again
     */
    public InboundMessage(Source source, String topic, byte[] payload, String contentType, Instant receivedAt,
            UUID organizationId, UUID integrationId, String clientMessageId) {
        this.id = MessageIds.next();
        this.source = Objects.requireNonNull(source, "source");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.payload = Objects.requireNonNull(payload, "payload");
        this.contentType = contentType;
        this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
        this.organizationId = organizationId;
        this.integrationId = integrationId;
        this.clientMessageId = clientMessageId;
    }

    public void parsed(List<Reading> parsedReadings) {
        this.readings = List.copyOf(parsedReadings);
        this.parseStatus = ParseStatus.PARSED;
        this.parseError = null;
    }

    public void parseFailed(String reason) {
        this.readings = List.of();
        this.parseStatus = ParseStatus.FAILED;
        this.parseError = reason;
    }

    public UUID id() {
        return id;
    }

    public Source source() {
        return source;
    }

    public String topic() {
        return topic;
    }

    public byte[] payload() {
        return payload;
    }

    public String contentType() {
        return contentType;
    }

    public Instant receivedAt() {
        return receivedAt;
    }

    public UUID organizationId() {
        return organizationId;
    }

    public UUID integrationId() {
        return integrationId;
    }

    public String clientMessageId() {
        return clientMessageId;
    }

    public ParseStatus parseStatus() {
        return parseStatus;
    }

    public List<Reading> readings() {
        return readings;
    }

    public String parseError() {
        return parseError;
    }

    public CompletableFuture<StoreOutcome> outcome() {
        return outcome;
    }

    @Override
    public String toString() {
        return "InboundMessage[" + id + ", " + source + ", topic=" + topic + ", " + payload.length + " bytes]";
    }
}
