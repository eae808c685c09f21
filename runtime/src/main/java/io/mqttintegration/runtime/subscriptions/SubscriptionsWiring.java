package io.mqttintegration.runtime.subscriptions;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.runtime.config.MqttConfig;
import io.mqttintegration.runtime.config.ProductConfig;
import io.mqttintegration.runtime.integrations.IntegrationTargets;
import io.mqttintegration.runtime.mqtt.BrokerClients;
import io.mqttintegration.runtime.mqtt.BrokerTargets;
import io.mqttintegration.runtime.routes.RouteFileDeployer;
import io.mqttintegration.runtime.routes.RouteTransitions;
import io.mqttintegration.runtime.storage.StorageWiring;
import io.mqttintegration.security.SecretBox;
import io.mqttintegration.security.ServerSecrets;
import io.mqttintegration.storage.tenants.SubscriptionNodes;
import io.mqttintegration.storage.tenants.SubscriptionStore;
import java.io.IOException;
import java.time.Clock;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriptions' wiring: the customers' brokers this node may reach, their clients, the node's
 * id, the subscriptions with their meters, and the beans their routes call ({@code mqttInbound},
 * {@code mqttAwaitStored}, {@code mqttDeliveryFailures}).
 */
public final class SubscriptionsWiring {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionsWiring.class);

    /** What the other areas need: the subscriptions, the brokers and how an integration's secrets are sealed. */
    public record Parts(Subscriptions subscriptions, SubscriptionStore store, BrokerTargets brokerTargets,
            BrokerClients brokerClients, SecretBox secretBox, IntegrationTargets integrationTargets) {

        /** Once the route files are deployed: each subscription's route, made again when their template changes. */
        public void start(RouteFileDeployer deployer) {
            deployer.onTemplatesChanged(subscriptions::routeFilesChanged);
            subscriptions.startAll();
        }

        /** The subscriptions' routes stop (the broker keeps each session), then the broker clients close. */
        public void close() {
            subscriptions.close();
            brokerClients.close();
        }
    }

    private SubscriptionsWiring() {
    }

    /**
     * @param resolver how broker host names are resolved
     * @param secrets whose master key seals the integrations' broker secrets
     * @param meters the registry of {@code /metrics}, where the subscriptions' meters go
     * @param beforeScrape takes what refreshes those meters before each scrape (they read a snapshot of the states)
     */
    public static Parts wire(CamelContext context, ProductConfig config, BrokerTargets.Resolver resolver, ServerSecrets secrets,
            StorageWiring.Parts storage, RouteTransitions transitions, MeterRegistry meters, Consumer<Runnable> beforeScrape)
            throws IOException {
        MqttConfig mqtt = config.mqtt();
        BrokerTargets brokerTargets = new BrokerTargets(mqtt.allowPrivateTargets(),
                BrokerTargets.allowList(mqtt.allowedTargets(), resolver), resolver);
        if (brokerTargets.warning() != null) {
            LOG.warn(brokerTargets.warning());
        }
        BrokerClients brokerClients = new BrokerClients(brokerTargets, mqtt.connectTimeoutSeconds());
        String nodeId = NodeId.resolve(mqtt.nodeId(), config.security().dir().resolve("node.id"));
        SecretBox secretBox = new SecretBox(secrets.masterKey());
        IntegrationTargets integrationTargets = new IntegrationTargets(secretBox, nodeId);
        SubscriptionStore store = new SubscriptionStore(storage.tenancy());
        Subscriptions subscriptions = new Subscriptions(context, store, new SubscriptionNodes(storage.tenancy()), storage.integrations(), integrationTargets, brokerTargets,
                storage.activity(),
                new Subscriptions.Settings(mqtt.connectTimeoutSeconds(), mqtt.connackTimeoutSeconds(), mqtt.maxRetrySeconds(),
                        mqtt.maxReconnectDelayMs(),
                        mqtt.maxRedeliverySeconds(),
                        // as long as a message may take to commit
                        config.ingest().commitTimeoutSeconds(), nodeId, mqtt.syncSeconds(),
                        config.presence().nodeTimeoutSeconds()), transitions);
        Registry registry = context.getRegistry();
        registry.bind("mqttInbound", new MqttInbound(subscriptions, Clock.systemUTC()));
        registry.bind("mqttAwaitStored", new AwaitStored(subscriptions::stored));
        registry.bind("mqttDeliveryFailures", new DeliveryFailures(subscriptions));
        beforeScrape.accept(new SubscriptionMeters(meters, subscriptions::statuses)::refresh);
        return new Parts(subscriptions, store, brokerTargets, brokerClients, secretBox, integrationTargets);
    }
}
