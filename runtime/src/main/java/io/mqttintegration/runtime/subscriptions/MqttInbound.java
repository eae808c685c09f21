package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.storage.InboundMessage;
import java.time.Clock;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Constants;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Bean {@code mqttInbound} of the subscription routes: turns a message the broker delivered into
 * an {@link InboundMessage} of the integration's organization (source mqtt), and counts it.
 */
public final class MqttInbound {

    /** The exchange property the subscription route sets from its template parameter. */
    public static final String INTEGRATION = "mqiIntegrationId";
    /** The exchange property with the number of the connection the message came on. */
    public static final String CONNECTION = "mqiConnection";

    private final Subscriptions subscriptions;
    private final Clock clock;

    public MqttInbound(Subscriptions subscriptions, Clock clock) {
        this.subscriptions = subscriptions;
        this.clock = clock;
    }

    public InboundMessage toMessage(Exchange exchange) {
        UUID integrationId = UUID.fromString(exchange.getProperty(INTEGRATION, String.class));
        SubscriptionSupervisor running = subscriptions.running(integrationId)
                .orElseThrow(() -> new IllegalStateException("no running subscription for integration " + integrationId));
        exchange.setProperty(CONNECTION, running.received());
        MqttProperties properties = exchange.getMessage().getHeader(PahoMqtt5Constants.CAMEL_PAHO_MSG_PROPERTIES,
                MqttProperties.class);
        byte[] payload = exchange.getMessage().getBody(byte[].class);
        return new InboundMessage(InboundMessage.Source.MQTT,
                exchange.getMessage().getHeader(PahoMqtt5Constants.MQTT_TOPIC, String.class),
                payload == null ? new byte[0] : payload, properties == null ? null : properties.getContentType(),
                clock.instant(), running.organizationId(), integrationId);
    }
}
