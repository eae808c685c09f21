package io.mqttintegration.broker;

import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.core.client.ClientProducer;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.core.config.WildcardConfiguration;
import org.apache.activemq.artemis.core.protocol.mqtt.MQTTUtil;
import org.apache.activemq.artemis.core.server.Queue;

/**
 * The service's publisher into the hosted broker: an in-VM core session of the broker's internal user
 * (the one {@link HostedIngest} uses), so no socket and no device credential. A message is made as
 * Artemis' MQTT protocol makes one from a PUBLISH (QoS, retain flag, content type and user
 * properties as properties of the core message), so an MQTT subscriber receives it as if it had been
 * published over MQTT. Its validated user is the internal user: {@link HostedIngest} acknowledges such
 * messages without storing them (a command is not a device's message). A QoS 1 message is sent
 * durable and blocking: {@link #publish} returns once the broker has it in its journal. Retained
 * messages go where Artemis' MQTT protocol keeps them ({@code $sys.mqtt.retain.<address>}, one
 * message per topic).
 */
final class HostedPublisher implements AutoCloseable {

    private final HostedBroker broker;
    private final WildcardConfiguration coreWildcards = new WildcardConfiguration();
    private ServerLocator locator;
    private ClientSessionFactory factory;
    private ClientSession session;
    private ClientProducer producer;

    HostedPublisher(HostedBroker broker) {
        this.broker = broker;
    }

    void start() throws Exception {
        locator = ActiveMQClient.createServerLocatorWithoutHA(broker.inVmConnector());
        locator.setBlockOnDurableSend(true);
        // In-VM, so cheap: a refused or failed QoS 0 send is an error too, not a silent loss.
        locator.setBlockOnNonDurableSend(true);
        factory = locator.createSessionFactory();
        session = factory.createSession(broker.internalUser(), broker.internalPassword(), false, true, true, false, 0);
        producer = session.createProducer();
    }

    /** See {@link io.mqttintegration.spi.broker.RunningBroker#publish}. */
    public synchronized void publish(String topic, byte[] payload, int qos, boolean retain, String contentType,
            List<Map.Entry<String, String>> userProperties) throws Exception {
        String address = MQTTUtil.getCoreAddressFromMqttTopic(topic, coreWildcards);
        if (retain) {
            String retainAddress = MQTTUtil.MQTT_RETAIN_ADDRESS_PREFIX + address;
            Queue retained = broker.server().locateQueue(retainAddress);
            if (retained == null) {
                retained = broker.server().createQueue(QueueConfiguration.of(retainAddress).setAutoCreated(true));
            }
            retained.deleteAllReferences();
            if (payload.length > 0) {
                producer.send(SimpleString.of(retainAddress), message(payload, qos, true, contentType, userProperties));
            }
        }
        producer.send(SimpleString.of(address), message(payload, qos, retain, contentType, userProperties));
    }

    private ClientMessage message(byte[] payload, int qos, boolean retain, String contentType,
            List<Map.Entry<String, String>> userProperties) {
        ClientMessage m = session.createMessage(Message.BYTES_TYPE, qos > 0);
        m.getBodyBuffer().writeBytes(payload);
        m.setRoutingType(RoutingType.MULTICAST);
        m.setTimestamp(System.currentTimeMillis());
        m.putIntProperty(MQTTUtil.MQTT_QOS_LEVEL_KEY, qos);
        m.putBooleanProperty(MQTTUtil.MQTT_MESSAGE_RETAIN_KEY, retain);
        if (contentType != null) {
            m.putStringProperty(MQTTUtil.MQTT_CONTENT_TYPE_KEY.toString(), contentType);
        }
        if (!userProperties.isEmpty()) {
            m.putIntProperty(MQTTUtil.MQTT_USER_PROPERTY_EXISTS_KEY, userProperties.size());
            for (int i = 0; i < userProperties.size(); i++) {
                Map.Entry<String, String> p = userProperties.get(i);
                m.putStringProperty(MQTTUtil.MQTT_USER_PROPERTY_KEY_PREFIX + i + "." + p.getKey(), p.getValue());
            }
        }
        return m;
    }

    @Override
    public synchronized void close() {
        try {
            if (session != null) {
                session.close();
            }
        } catch (ActiveMQException e) {
            // the broker is stopping
        }
        if (factory != null) {
            factory.close();
        }
        if (locator != null) {
            locator.close();
        }
    }
}
