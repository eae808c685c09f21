package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.storage.InboundMessage;
import java.time.Clock;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Constants;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Message;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Bean {@code mqttInbound} of the subscription routes: turns a message the broker delivered into
 * an {@link InboundMessage} of the integration's organization (source mqtt), with the message's own
 * id where the integration declares one ({@link MessageIdentity}), and counts it.
 */
public final class MqttInbound {

    /** The exchange property the subscription route sets from its template parameter. */
    public static final String INTEGRATION = "mqiIntegrationId";
    /** The exchange property with the number of the connection the message came on. */
    public static final String CONNECTION = "mqiConnection";
    /** The exchange property with the message's MQTT packet id (0 for QoS 0). */
    public static final String PACKET_ID = "mqiPacketId";

    private final Subscriptions subscriptions;
    private final Clock clock;

    public MqttInbound(Subscriptions subscriptions, Clock clock) {
        this.subscriptions = subscriptions;
        this.clock = clock;
    }

    public InboundMessage toMessage(Exchange exchange) {
        if (exchange.getMessage() instanceof PahoMqtt5Message paho && paho.getMqttMessage() != null) {
            exchange.setProperty(PACKET_ID, paho.getMqttMessage().getId());
        }
        UUID integrationId = UUID.fromString(exchange.getProperty(INTEGRATION, String.class));
        SubscriptionSupervisor running = subscriptions.running(integrationId)
                .orElseThrow(() -> new IllegalStateException("no running subscription for integration " + integrationId));
        exchange.setProperty(CONNECTION, running.received());
        MqttProperties properties = exchange.getMessage().getHeader(PahoMqtt5Constants.CAMEL_PAHO_MSG_PROPERTIES,
                MqttProperties.class);
        byte[] body = exchange.getMessage().getBody(byte[].class);
        byte[] payload = body == null ? new byte[0] : body;
        return new InboundMessage(InboundMessage.Source.MQTT,
                exchange.getMessage().getHeader(PahoMqtt5Constants.MQTT_TOPIC, String.class),
                payload, properties == null ? null : properties.getContentType(),
                clock.instant(), running.organizationId(), integrationId,
                running.identity().of(properties == null ? null : properties.getUserProperties(), payload));
    }
}
