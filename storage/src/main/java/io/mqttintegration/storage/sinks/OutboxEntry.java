package io.mqttintegration.storage.sinks;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * What a sink is to deliver: a stored message, with the message as stored, or a device presence
 * event (a transition), carried by the outbox row itself.
 *
 * @param seq          its place in the sink's outbox (the order of delivery)
 * @param messageId    the stored message's id, or the transition's
 * @param receivedAt   when the message was received, or when the transition happened
 * @param attempts     deliveries tried before this one
 * @param topic        null for an event, and for a message no longer stored (the retention purge came first)
 * @param readingsJson its readings as a JSON array (deviceId, ts, metrics, units), when asked for; else null
 * @param eventJson    the event as the presence engine wrote it ({@code {"type":"presence","id",...}}), or null for a message
 */
public record OutboxEntry(long seq, UUID messageId, OffsetDateTime receivedAt, String deviceId, int attempts, UUID integrationId,
        String source, String topic, byte[] payload, String contentType, String readingsJson, String eventJson) {

    /** A stored message (no event). */
    public OutboxEntry(long seq, UUID messageId, OffsetDateTime receivedAt, String deviceId, int attempts, UUID integrationId,
            String source, String topic, byte[] payload, String contentType, String readingsJson) {
        this(seq, messageId, receivedAt, deviceId, attempts, integrationId, source, topic, payload, contentType, readingsJson, null);
    }

    public boolean event() {
        return eventJson != null;
    }

    /** A message the retention purge removed before it was delivered (an event is never one: it carries itself). */
    public boolean purged() {
        return topic == null && eventJson == null;
    }
}
