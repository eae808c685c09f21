package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.runtime.integrations.BrokerSettings;
import io.mqttintegration.runtime.integrations.IntegrationTargets;
import io.mqttintegration.runtime.mqtt.BrokerClients;
import io.mqttintegration.runtime.mqtt.BrokerTargets;
import io.mqttintegration.runtime.routes.RouteTransitions;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.SubscriptionRecord;
import io.mqttintegration.storage.tenants.SubscriptionStore;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Configuration;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Endpoint;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Camel side of the subscriptions: each subscribed integration's route {@code
 * mqtt-subscription-<integration id>}, made from the route template {@value #TEMPLATE}
 * (routes/mqtt-subscription.camel.yaml), with its own {@link SubscriptionClient} bound in the
 * registry as the route's {@code client}. The template declares the session (QoS, clean start off,
 * session expiry, manual acks, reconnect backoff); this class reads those options from the route's
 * endpoint and adds what must not be in a URI: the checked address (SSRF guard), credentials and TLS
 * from the integration's sealed settings.
 *
 * <p>Every route it adds, stops or removes is changed through {@link RouteTransitions}: one change
 * at a time node-wide (Camel's route model is not safe for concurrent changes), and marked so
 * {@code /health} does not count the route as down meanwhile.
 */
final class SubscriptionRoutes {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionRoutes.class);
    static final String TEMPLATE = "mqtt-subscription";
    /** Messages in flight per subscription when the template sets no receiveMaximum. */
    static final int DEFAULT_RECEIVE_MAXIMUM = 1000;

    private final CamelContext context;
    private final RouteTransitions transitions;
    private final IntegrationTargets targets;
    private final BrokerTargets guard;
    private final String nodeId;
    private final int connectTimeoutSeconds;
    private final int drainSeconds;
    private final Executor executor;
    private final ClientThreads clientThreads;
    private final SubscriptionStore store;

    /**
     * @param executor runs the clients' subscribing off Paho's callback thread
     * @param clientThreads the threads every subscription's client shares ({@link ClientThreads})
     * @param drainSeconds how long stopping waits for the messages in flight to be stored
     * @param store where each session's subscribed filters are kept ({@link SessionFilters}), or null for nowhere
     */
    SubscriptionRoutes(CamelContext context, RouteTransitions transitions, IntegrationTargets targets, BrokerTargets guard,
            String nodeId, int connectTimeoutSeconds, int drainSeconds, Executor executor, ClientThreads clientThreads,
            SubscriptionStore store) {
        this.context = context;
        this.transitions = transitions;
        this.targets = targets;
        this.guard = guard;
        this.nodeId = nodeId;
        this.connectTimeoutSeconds = connectTimeoutSeconds;
        this.drainSeconds = drainSeconds;
        this.executor = executor;
        this.clientThreads = clientThreads;
        this.store = store;
    }

    static String routeId(UUID integrationId) {
        return TEMPLATE + "-" + integrationId;
    }

    static String clientBean(UUID integrationId) {
        return "mqttSubscriptionClient-" + integrationId;
    }

    /** The route of one subscription, as its supervisor drives it. */
    SubscriptionSupervisor.Route of(SubscriptionRecord subscription) {
        String routeId = routeId(subscription.integrationId());
        String clientBean = clientBean(subscription.integrationId());
        return new SubscriptionSupervisor.Route() {
            @Override
            public SubscriptionSupervisor.Client create(IntegrationRecord integration, SubscriptionStatus status, Runnable subscribed,
                    Runnable lost, List<String> droppedFilters) throws Exception {
                return SubscriptionRoutes.this.create(subscription, routeId, clientBean, integration, status, subscribed, lost,
                        droppedFilters);
            }

            @Override
            public void awaitInflight() {
                SubscriptionRoutes.this.awaitInflight(routeId);
            }

            @Override
            public void takeDown(boolean remove) {
                SubscriptionRoutes.this.takeDown(routeId, clientBean, remove);
            }
        };
    }

    private SubscriptionSupervisor.Client create(SubscriptionRecord subscription, String routeId, String clientBean,
            IntegrationRecord integration, SubscriptionStatus status, Runnable subscribed, Runnable lost,
            List<String> droppedFilters) throws Exception {
        BrokerSettings settings = targets.settings(integration);
        BrokerClients.Target target = targets.subscriptionTarget(settings, integration, nodeId);
        InetAddress address = guard.resolve(target.host(), target.port());
        String url = BrokerClients.url(address, target);
        SubscriptionClient client = new SubscriptionClient(url, target.clientId(), "subscription-" + subscription.integrationId(),
                subscription.topics(), settings.sharedGroup(), status, executor, subscribed, lost, new ClientLoops(clientThreads),
                store == null ? SessionFilters.NONE : SessionFilters.of(store, subscription.integrationId()));
        client.unsubscribeOnce(droppedFilters);
        BrokerSettings.MessageIdentity identity = settings.messageIdentity();
        client.identify(identity == null ? MessageIdentity.NONE : MessageIdentity.of(identity.userProperty(), identity.jsonPointer()));
        // No call on the client may block for ever (Paho waits without limit by default).
        client.setTimeToWait(connectTimeoutSeconds * 1000L);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("integrationId", subscription.integrationId().toString());
        parameters.put("client", clientBean);
        parameters.put("qos", subscription.qos());
        parameters.put("keepAliveSeconds", target.keepAliveSeconds());
        parameters.put("sessionExpirySeconds", settings.sessionExpirySecondsOrDefault());
        try {
            // The client's registry entry with the route: the registry is a plain map too.
            transitions.during(routeId, () -> {
                context.getRegistry().bind(clientBean, client);
                context.addRouteFromTemplate(routeId, TEMPLATE, parameters);
            });
            Route route = context.getRoute(routeId);
            if (!(route.getEndpoint() instanceof PahoMqtt5Endpoint endpoint)) {
                throw new IllegalStateException("template " + TEMPLATE + " must consume from a paho-mqtt5 endpoint");
            }
            MqttConnectionOptions options = options(target, address, endpoint.getConfiguration(), connectTimeoutSeconds);
            client.setManualAcks(true);
            // The bound on messages in flight is the client's own, whatever the broker does with it.
            client.limitInflight(options.getReceiveMaximum());
            return new PahoClient(client, options);
        } catch (Exception e) {
            takeDown(routeId, clientBean, true);
            client.closeQuietly();
            throw e;
        }
    }

    /**
     * The connection options the template's endpoint declares, with the integration's credentials
     * and TLS. Acknowledging after the commit needs manual acks, and Paho's are only sound up to QoS 1.
     */
    static MqttConnectionOptions options(BrokerClients.Target target, InetAddress address, PahoMqtt5Configuration c,
            int timeoutSeconds) {
        if (!c.isManualAcksEnabled() || c.getQos() > 1) {
            throw new IllegalStateException("the subscription template must set manualAcksEnabled=true and qos 0 or 1");
        }
        MqttConnectionOptions o = BrokerClients.options(target, address, timeoutSeconds);
        o.setCleanStart(c.isCleanStart());
        o.setSessionExpiryInterval(c.getSessionExpiryInterval() < 0 ? null : c.getSessionExpiryInterval());
        o.setKeepAliveInterval(c.getKeepAliveInterval());
        // The supervisor reconnects, not Paho: each attempt with a deadline for its CONNACK, and
        // only once the last connection's callback loop has ended (see ClientLoops for the hang
        // that Paho's own reconnect ran into).
        if (c.isAutomaticReconnect()) {
            throw new IllegalStateException("the subscription template must not set automaticReconnect: the service reconnects");
        }
        o.setAutomaticReconnect(false);
        o.setReceiveMaximum(c.getReceiveMaximum() > 0 ? c.getReceiveMaximum() : DEFAULT_RECEIVE_MAXIMUM);
        return o;
    }

    private void awaitInflight(String routeId) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
        while (context.getInflightRepository().size(routeId) > 0 && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        int left = context.getInflightRepository().size(routeId);
        if (left > 0) {
            LOG.warn("Stopping {} with {} messages not yet stored: they stay unacknowledged and come again", routeId, left);
        }
    }

    /** Stops the route and, with {@code remove}, removes it with its definition and client bean. */
    private void takeDown(String routeId, String clientBean, boolean remove) {
        try {
            transitions.during(routeId, () -> {
                if (context.getRoute(routeId) != null) {
                    context.getRouteController().stopRoute(routeId);
                    if (remove) {
                        context.removeRoute(routeId);
                    }
                }
                if (!remove) {
                    return;
                }
                Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
                RouteDefinition definition = model.getRouteDefinition(routeId);
                if (definition != null) {
                    model.removeRouteDefinition(definition);
                }
                context.getRegistry().unbind(clientBean);
            });
        } catch (Exception e) {
            LOG.warn("Could not {} route {}: {}", remove ? "remove" : "stop", routeId, e.getMessage());
        }
    }

    /** A {@link SubscriptionClient} with the options its route declares. */
    private record PahoClient(SubscriptionClient client, MqttConnectionOptions options) implements SubscriptionSupervisor.Client {

        @Override
        public void connectAsync(Consumer<Boolean> connected, Consumer<MqttException> failed) throws MqttException {
            client.connectAsync(options, connected, failed);
        }

        @Override
        public boolean isConnected() {
            return client.isConnected();
        }

        @Override
        public void subscribeAll(boolean sessionPresent) {
            client.subscribeAll(sessionPresent);
        }

        @Override
        public void disconnectKeepingSession() throws MqttException {
            client.disconnectKeepingSession();
        }

        @Override
        public void abandonConnect() {
            client.abandonConnect();
        }

        @Override
        public MessageIdentity identity() {
            return client.identity();
        }

        @Override
        public boolean callbackEnded() {
            return client.callbackEnded();
        }

        @Override
        public void notStored(int packetId) {
            client.notStored(packetId);
        }

        @Override
        public void drain() {
            client.drain();
        }

        @Override
        public void closeSession() {
            client.closeSession();
        }

        @Override
        public void closeQuietly() {
            client.closeQuietly();
        }

        @Override
        public String clientId() {
            return client.getClientId();
        }

        @Override
        public String sharedGroup() {
            return client.sharedGroup();
        }
    }
}
