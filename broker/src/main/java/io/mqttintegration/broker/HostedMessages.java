package io.mqttintegration.broker;

import io.mqttintegration.spi.broker.DeviceIdentity;
import io.mqttintegration.spi.broker.DeviceMessage;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.activemq.artemis.api.core.ActiveMQBuffer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.core.config.WildcardConfiguration;
import org.apache.activemq.artemis.core.protocol.mqtt.MQTTUtil;

/**
 * Turns a message a device published to the hosted broker into a {@link DeviceMessage} of the organization and integration of the credential the device connected with (the
 * user Artemis authenticated, never a header the device could set). Its client message id is the
 * broker's node id and message id: a message the broker delivers again (its acknowledgement was
 * lost with a crash) is accepted and not stored twice; a new journal has a new node id, so its
 * message ids never collide with those of an old one.
 */
public final class HostedMessages {

    private final Function<String, Optional<DeviceIdentity>> owners;
    private final Map<String, Optional<DeviceIdentity>> known = new ConcurrentHashMap<>();
    private final WildcardConfiguration coreWildcards = new WildcardConfiguration();

    /** @param owners who a username belongs to (a credential's organization and integration never change) */
    public HostedMessages(Function<String, Optional<DeviceIdentity>> owners) {
        this.owners = owners;
    }

    public DeviceMessage toMessage(ClientMessage m, String brokerNodeId) {
        String user = m.getValidatedUserID();
        Optional<DeviceIdentity> owner = user == null ? Optional.empty() : known.computeIfAbsent(user, owners);
        if (owner.isEmpty()) {
            known.remove(user == null ? "" : user); // deleted meanwhile, or not yet seen: ask again next time
        }
        ActiveMQBuffer body = m.getReadOnlyBodyBuffer();
        byte[] payload = new byte[body.readableBytes()];
        body.readBytes(payload);
        String topic = MQTTUtil.getMqttTopicFromCoreAddress(m.getAddress(), coreWildcards);
        Object contentType = m.getObjectProperty(MQTTUtil.MQTT_CONTENT_TYPE_KEY);
        return new DeviceMessage(topic, payload, contentType == null ? null : contentType.toString(),
                Instant.ofEpochMilli(m.getTimestamp()), owner.map(DeviceIdentity::organizationId).orElse(null),
                owner.map(DeviceIdentity::integrationId).orElse(null), "hosted:" + brokerNodeId + ":" + m.getMessageID());
    }

    /** Forgets whose the usernames are (tests; an integration deleted and its username never reused). */
    void clear() {
        known.clear();
    }
}
