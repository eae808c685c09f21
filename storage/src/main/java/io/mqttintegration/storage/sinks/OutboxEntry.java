package io.mqttintegration.storage.sinks;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A message a sink is to deliver, with the message as stored.
 *
 * @param seq          its place in the sink's outbox (the order of delivery)
 * @param attempts     deliveries tried before this one
 * @param topic        null when the message is no longer stored (the retention purge came first)
 * @param readingsJson its readings as a JSON array (deviceId, ts, metrics, units), when asked for; else null
 */
public record OutboxEntry(long seq, UUID messageId, OffsetDateTime receivedAt, String deviceId, int attempts, UUID integrationId,
        String source, String topic, byte[] payload, String contentType, String readingsJson) {

    public boolean purged() {
        return topic == null;
    }
}
