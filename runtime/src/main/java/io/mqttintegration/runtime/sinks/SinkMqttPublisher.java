package io.mqttintegration.runtime.sinks;

import io.mqttintegration.runtime.integrations.IntegrationTargets;
import io.mqttintegration.runtime.mqtt.BrokerClients;
import io.mqttintegration.runtime.mqtt.BrokerException;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * The MQTT sink's way out (bean {@code sinkMqttPublisher}, called by routes/sink-mqtt.camel.yaml):
 * publishes to the broker of an integration of the sink's own organization, with that integration's
 * address, credentials and TLS (sealed, never in a route), through a client kept connected per
 * target integration on this node (the broker address checked and pinned as for every broker,
 * {@link BrokerClients}). A publish at QoS 1 returns once the broker acknowledged it.
 */
public final class SinkMqttPublisher implements AutoCloseable {

    private final IntegrationStore integrations;
    private final IntegrationTargets targets;
    private final BrokerClients clients;
    private final Function<UUID, Optional<UUID>> organizationOfSink;
    /** The organizations of the probes a sink's test ({@link SinkTester}) sends through a route of its own. */
    private final Map<UUID, UUID> probes = new ConcurrentHashMap<>();

    /** @param organizationOfSink the organization of a sink this node delivers */
    public SinkMqttPublisher(IntegrationStore integrations, IntegrationTargets targets, BrokerClients clients,
            Function<UUID, Optional<UUID>> organizationOfSink) {
        this.integrations = integrations;
        this.targets = targets;
        this.clients = clients;
        this.organizationOfSink = organizationOfSink;
    }

    /**
     * @throws IllegalArgumentException the target integration is not one of the sink's organization
     * @throws BrokerException          the broker could not be reached or refused the connection
     */
    public void publish(String sinkId, String integrationId, String topic, byte[] payload, int qos, boolean retain, String contentType,
            String messageId) throws MqttException {
        UUID id = UUID.fromString(sinkId);
        UUID org = Optional.ofNullable(probes.get(id)).or(() -> organizationOfSink.apply(id))
                .orElseThrow(() -> new IllegalStateException("sink " + sinkId + " is not delivered by this node"));
        IntegrationRecord target = integrations.get(org, UUID.fromString(integrationId))
                .orElseThrow(() -> new IllegalArgumentException("no integration " + integrationId + " in the sink's organization"));
        MqttMessage message = new MqttMessage(payload);
        message.setQos(qos);
        message.setRetained(retain);
        MqttProperties properties = new MqttProperties();
        properties.setContentType(contentType);
        properties.setUserProperties(List.of(new UserProperty("mqi-message-id", messageId)));
        message.setProperties(properties);
        try {
            clients.client(target.id(), targets.target(target, "-sink")).publish(topic, message);
        } catch (MqttException e) {
            clients.invalidate(target.id());
            throw e;
        }
    }

    /** A sink's test sends as {@code probe}, for the sink's organization, until {@link #unprobe}. */
    void probe(UUID probe, UUID organizationId) {
        probes.put(probe, organizationId);
    }

    void unprobe(UUID probe) {
        probes.remove(probe);
    }

    @Override
    public void close() {
        clients.close();
    }
}
