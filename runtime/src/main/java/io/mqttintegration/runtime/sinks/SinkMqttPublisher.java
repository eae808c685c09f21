package io.mqttintegration.runtime.sinks;

import io.mqttintegration.runtime.broker.HostedCommands;
import io.mqttintegration.runtime.integrations.IntegrationTargets;
import io.mqttintegration.runtime.mqtt.BrokerClients;
import io.mqttintegration.runtime.mqtt.BrokerException;
import io.mqttintegration.spi.broker.RunningBroker;
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
 * {@link BrokerClients}); or, for a sink with {@code hosted: true}, into the hosted broker's device
 * namespace, the way and under the rule of the API's publish with {@code "hosted": true}
 * ({@link HostedCommands}). A publish at QoS 1 returns once the broker acknowledged it (the hosted
 * broker: once the message is in its journal).
 */
public final class SinkMqttPublisher implements AutoCloseable {

    private final IntegrationStore integrations;
    private final IntegrationTargets targets;
    private final BrokerClients clients;
    private final HostedCommands hosted;
    private final Function<UUID, Optional<UUID>> organizationOfSink;
    /** The organizations of the probes a sink's test ({@link SinkTester}) sends through a route of its own. */
    private final Map<UUID, UUID> probes = new ConcurrentHashMap<>();

    /**
     * @param hosted             the way to the hosted broker (whose {@code publisher()} is empty where it does not run)
     * @param organizationOfSink the organization of a sink this node delivers
     */
    public SinkMqttPublisher(IntegrationStore integrations, IntegrationTargets targets, BrokerClients clients, HostedCommands hosted,
            Function<UUID, Optional<UUID>> organizationOfSink) {
        this.integrations = integrations;
        this.targets = targets;
        this.clients = clients;
        this.hosted = hosted;
        this.organizationOfSink = organizationOfSink;
    }

    /**
     * @throws IllegalArgumentException the target integration is not one of the sink's organization
     * @throws BrokerException          the broker could not be reached or refused the connection
     */
    public void publish(String sinkId, String integrationId, String topic, byte[] payload, int qos, boolean retain, String contentType,
            String messageId) throws MqttException {
        if (integrationId == null || integrationId.isEmpty()) {
            throw new IllegalArgumentException("the sink has no integrationId (and is not hosted)");
        }
        UUID org = organization(sinkId);
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

    /**
     * Publishes into the hosted broker, as the service: only inside the namespace of a live device
     * credential of the message's integration (the sink's own), checked for each message since its
     * topic comes from the message; a revoked credential's namespace is refused from then on.
     *
     * @param integrationId the integration the message was stored for (header {@code mqiIntegrationId}): the sink's
     * @throws IllegalArgumentException the topic is outside those namespaces (a dead letter after the sink's attempts)
     * @throws IllegalStateException    the hosted broker is not running on this node (retried)
     */
    public void publishHosted(String sinkId, String integrationId, String topic, byte[] payload, int qos, boolean retain,
            String contentType, String messageId) throws Exception {
        UUID org = organization(sinkId);
        if (!hosted.allows(org, UUID.fromString(integrationId), topic)) {
            throw new IllegalArgumentException("topic " + topic + " is not devices/<username>/... of a live device credential of the"
                    + " sink's integration");
        }
        RunningBroker broker = hosted.publisher().orElseThrow(() -> new IllegalStateException(
                "the hosted MQTT broker is not running on this node (feature mqtt-integration-broker, broker.enabled)"));
        broker.publish(topic, payload, qos, retain, contentType, List.of(Map.entry("mqi-message-id", messageId)));
    }

    private UUID organization(String sinkId) {
        UUID id = UUID.fromString(sinkId);
        return Optional.ofNullable(probes.get(id)).or(() -> organizationOfSink.apply(id))
                .orElseThrow(() -> new IllegalStateException("sink " + sinkId + " is not delivered by this node"));
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
