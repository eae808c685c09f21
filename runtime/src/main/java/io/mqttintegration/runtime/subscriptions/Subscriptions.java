package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.runtime.api.IntegrationTargets;
import io.mqttintegration.runtime.mqtt.BrokerClients;
import io.mqttintegration.runtime.mqtt.BrokerException;
import io.mqttintegration.runtime.mqtt.BrokerTargets;
import io.mqttintegration.runtime.routes.RouteTransitions;
import io.mqttintegration.storage.tenants.ActiveSubscription;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.SubscriptionRecord;
import io.mqttintegration.storage.tenants.SubscriptionStore;
import java.net.InetAddress;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Configuration;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Endpoint;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent subscriptions: one route per subscribed integration, made from the route template
 * {@value #TEMPLATE} (routes/mqtt-subscription.camel.yaml), holding one MQTT 5 session per
 * integration. The template declares the session (QoS, clean start off, session expiry, manual
 * acks, reconnect backoff); this class gives each route its client with the integration's address,
 * credentials and TLS, connects it (retrying with backoff), and takes it down again.
 *
 * <p>Lifecycle: {@link #startAll} at service start re-creates every stored subscription of an
 * enabled integration; {@link #start} (re)starts one; {@link #stop} with {@code endSession} also
 * ends the broker's session (unsubscribe, integration disabled or deleted); {@link #close} at
 * service stop keeps the sessions, so the broker queues QoS 1 messages until the service is back.
 *
 * <p>Several nodes: {@link #sync}, every {@code mqtt.subscription.syncSeconds}, reconciles this
 * node's routes with the {@code subscriptions} table, so a subscription created, changed or removed
 * through another node is started, restarted or stopped here too. An integration with a
 * {@code sharedGroup} subscribes as {@code $share/<group>/<filter>} with a client id of this node's
 * own ({@link IntegrationTargets#subscriptionTarget}): each node holds its own session in the group.
 * One without a shared group runs on one node only, its row's {@code owner_node}: the node that
 * answered the subscribe call, or the first to claim it (two clients with the integration's one
 * client id would knock each other off the broker).
 *
 * <p>Locking: each integration has a lock of its own, held while its subscription starts, stops or
 * is reconciled (stopping waits for the messages in flight and for the broker to end the session);
 * the client's connection attempts lock its {@link Running}. No lock spans integrations, so one
 * tenant's slow teardown never holds up another's subscribe. The routes it stops, removes and adds
 * are marked in {@link RouteTransitions} meanwhile, so {@code /health} does not count them as down.
 */
public final class Subscriptions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);
    public static final String TEMPLATE = "mqtt-subscription";
    public static final String ERROR_CONFIGURATION = "subscription-errors";
    private static final String ACTOR = "service";

    /** One running subscription. */
    public static final class Running {
        private final SubscriptionRecord record;
        private final SubscriptionStatus status;
        private final String routeId;
        private final String clientBean;
        private volatile boolean stopped;
        private SubscriptionClient client;
        private MqttConnectionOptions options;
        private ScheduledFuture<?> pending;
        private int attempts;
        private final AtomicBoolean redeliveryPending = new AtomicBoolean();
        private final AtomicInteger redeliveryRound = new AtomicInteger();
        private volatile boolean failing;
        /** Filters an earlier run of this subscription had and this one has not (unsubscribed once connected). */
        private volatile List<String> droppedFilters = List.of();
        /** The row's version this run follows; null when started by this node's API (adopted at the next sync). */
        private volatile OffsetDateTime version;

        Running(SubscriptionRecord record, OffsetDateTime version) {
            this.record = record;
            this.version = version;
            this.status = new SubscriptionStatus(record.topics(), record.qos());
            this.routeId = "mqtt-subscription-" + record.integrationId();
            this.clientBean = "mqttSubscriptionClient-" + record.integrationId();
        }

        public SubscriptionStatus status() {
            return status;
        }

        public UUID organizationId() {
            return record.organizationId();
        }

        public String routeId() {
            return routeId;
        }
    }

    /**
     * @param connectTimeoutSeconds one connection attempt
     * @param maxRetrySeconds cap of the backoff of connection retries
     * @param maxRedeliverySeconds cap of the backoff of reconnects for redelivery (each costs the
     *        broker one resend of the in-flight window, so it may be short)
     * @param drainSeconds how long stopping waits for the messages in flight to be stored
     * @param nodeId this node's id: the suffix of its client ids in shared subscriptions
     * @param syncSeconds how often this node reconciles its routes with the table (0: only at start)
     */
    public record Settings(int connectTimeoutSeconds, int maxRetrySeconds, int maxRedeliverySeconds, int drainSeconds,
            String nodeId, int syncSeconds) {
    }

    private final CamelContext context;
    private final SubscriptionStore store;
    private final IntegrationStore integrations;
    private final IntegrationTargets targets;
    private final BrokerTargets guard;
    private final ActivityLog activity;
    private final Settings settings;
    /**
     * The subscriptions' own work (creating routes, subscribing, activity entries) and every timer
     * (retries, reconnects, syncs, the clients' keep-alive pings): four threads for the whole node.
     */
    private final ScheduledExecutorService executor;
    /**
     * How many subscriptions open a connection at once (and how many stop at once at service stop):
     * each holds a thread ~300 ms, mostly asleep in Paho ({@link ClientThreads}), so ~200 per second.
     */
    static final int CONNECT_THREADS = 64;
    /** Every client's threads: see {@link ClientThreads}. */
    private final ClientThreads clientThreads;
    /** Retries of a subscription that could not connect, up to maxRetrySeconds, jittered. */
    private final Backoff retryBackoff;
    /**
     * Reconnects for redelivery: 1 s, 2 s, 4 s, ... up to maxRedeliverySeconds, and never more than
     * {@value #MAX_REDELIVERY_BACKOFF_SECONDS} s while failures go on; not jittered.
     */
    private final Backoff redeliveryBackoff;
    static final int MAX_REDELIVERY_BACKOFF_SECONDS = 32;
    private final Map<UUID, Running> running = new ConcurrentHashMap<>();
    /**
     * One lock per integration: starting, stopping and reconciling one subscription (which may wait
     * for its messages in flight and for the broker to end its session) never holds up another's.
     */
    private final Map<UUID, Object> locks = new ConcurrentHashMap<>();
    private final RouteTransitions transitions;
    /** When this node last started or stopped each subscription (System.nanoTime). */
    private final Map<UUID, Long> changedAt = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final AtomicLong syncRounds = new AtomicLong();

    public Subscriptions(CamelContext context, SubscriptionStore store, IntegrationStore integrations,
            IntegrationTargets targets, BrokerTargets guard, ActivityLog activity, Settings settings,
            RouteTransitions transitions) {
        this.context = context;
        this.transitions = transitions;
        this.store = store;
        this.integrations = integrations;
        this.targets = targets;
        this.guard = guard;
        this.activity = activity;
        this.settings = settings;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newScheduledThreadPool(4, r -> {
            Thread t = new Thread(r, "mqi-subscriptions-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.clientThreads = new ClientThreads(executor, CONNECT_THREADS);
        this.retryBackoff = Backoff.jittered(1000, Math.max(1000, settings.maxRetrySeconds() * 1000L));
        this.redeliveryBackoff = Backoff.doubling(1000,
                Math.max(1000, Math.min(settings.maxRedeliverySeconds(), MAX_REDELIVERY_BACKOFF_SECONDS) * 1000L));
    }

    /**
     * Re-creates every stored subscription of an enabled integration (the service's start), then
     * reconciles with the table every {@code syncSeconds}.
     */
    public void startAll() {
        int started = sync();
        LOG.info("Started {} persistent subscriptions (node {})", started, settings.nodeId());
        if (settings.syncSeconds() > 0) {
            executor.scheduleWithFixedDelay(() -> {
                try {
                    sync();
                } catch (RuntimeException e) {
                    LOG.warn("Could not reconcile the subscriptions with the database: {}", e.getMessage());
                }
            }, settings.syncSeconds(), settings.syncSeconds(), TimeUnit.SECONDS);
        }
    }

    /**
     * Makes this node's routes follow the {@code subscriptions} table: starts the subscriptions it
     * lacks, restarts those whose row or integration changed since, and stops (ending the session)
     * those whose row is gone or whose integration is disabled. A subscription this node started or
     * stopped itself after the table was read is left alone until the next round.
     *
     * @return the number of subscriptions started
     */
    public int sync() {
        long readAt = System.nanoTime();
        List<ActiveSubscription> rows = store.listActiveVersions();
        Set<UUID> wanted = new HashSet<>();
        int started = 0;
        for (ActiveSubscription row : rows) {
            SubscriptionRecord r = row.subscription();
            wanted.add(r.integrationId());
            boolean here = row.sharedGroup() != null || settings.nodeId().equals(
                    row.ownerNode() != null ? row.ownerNode() : store.claim(r.integrationId(), settings.nodeId()).orElse(null));
            synchronized (lock(r.integrationId())) {
                if (closed) {
                    return started;
                }
                if (changedSince(r.integrationId(), readAt)) {
                    continue;
                }
                Running run = running.get(r.integrationId());
                if (!here) {
                    if (run != null) {
                        LOG.info("Subscription {} has no shared group and runs on node {}: stopping it here", run.routeId,
                                row.ownerNode());
                        stop(r.integrationId(), integrations.get(r.organizationId(), r.integrationId())
                                .map(i -> sessionMoves(run, i)).orElse(true));
                    }
                    continue;
                }
                if (run != null && run.version == null && run.record.equals(r)) {
                    run.version = row.version(); // started here through the API: that is its row
                    continue;
                }
                if (run != null && row.version().equals(run.version)) {
                    continue;
                }
                if (run != null) {
                    LOG.info("Subscription {} changed in the database: restarting it", run.routeId);
                }
                try {
                    start(r, row.version());
                    started++;
                } catch (RuntimeException e) {
                    LOG.error("Could not start the subscription of integration {}: {}", r.integrationId(), e.getMessage());
                }
            }
        }
        syncRounds.incrementAndGet();
        for (UUID id : List.copyOf(running.keySet())) {
            synchronized (lock(id)) {
                if (!closed && !wanted.contains(id) && !changedSince(id, readAt) && running.containsKey(id)) {
                    LOG.info("Subscription of integration {} was removed or disabled (through another node): stopping it", id);
                    stop(id, true);
                }
            }
        }
        return started;
    }

    /** How many times this node has read the table to reconcile its routes. */
    public long syncRounds() {
        return syncRounds.get();
    }

    private Object lock(UUID integrationId) {
        return locks.computeIfAbsent(integrationId, id -> new Object());
    }

    private boolean changedSince(UUID integrationId, long nanoTime) {
        Long at = changedAt.get(integrationId);
        return at != null && at - nanoTime > 0;
    }

    /**
     * Starts the subscription, or restarts it with new topics or settings (the old session's client
     * goes first: one client per integration, never two). Connecting happens in the background.
     */
    public SubscriptionStatus start(SubscriptionRecord r) {
        return start(r, null);
    }

    private SubscriptionStatus start(SubscriptionRecord r, OffsetDateTime version) {
        synchronized (lock(r.integrationId())) {
            return startLocked(r, version);
        }
    }

    private SubscriptionStatus startLocked(SubscriptionRecord r, OffsetDateTime version) {
        changedAt.put(r.integrationId(), System.nanoTime());
        Optional<IntegrationRecord> integration = integrations.get(r.organizationId(), r.integrationId());
        Running old = running.get(r.integrationId());
        boolean moves = integration.isPresent() && sessionMoves(old, integration.get());
        stopRunning(r.integrationId(), moves, true);
        if (closed || integration.isEmpty() || !integration.get().enabled()) {
            return SubscriptionStatus.stopped(r.topics(), r.qos());
        }
        Running run = new Running(r, version);
        if (old != null && !moves) {
            // The kept session still holds the filters the new topics no longer name: the new
            // client unsubscribes them, or the broker would go on delivering them.
            List<String> dropped = new ArrayList<>(old.record.topics());
            dropped.removeAll(r.topics());
            run.droppedFilters = List.copyOf(dropped);
        }
        running.put(r.integrationId(), run);
        executor.execute(() -> attempt(run, integration.get()));
        return run.status;
    }

    /**
     * Whether the restarted subscription leaves its old session behind (another client id, or
     * another shared group): then the old one is ended rather than kept, or the broker would go on
     * queuing messages to it (in a shared group: a share of them, never delivered) until it expires.
     */
    private boolean sessionMoves(Running old, IntegrationRecord integration) {
        if (old == null || old.client == null) {
            return false;
        }
        try {
            String clientId = targets.subscriptionTarget(integration, settings.nodeId()).clientId();
            return !clientId.equals(old.client.getClientId())
                    || !Objects.equals(IntegrationTargets.sharedGroup(integration), old.client.sharedGroup());
        } catch (RuntimeException e) {
            return false; // the new settings do not make a client: keep the session, the start reports why
        }
    }

    /**
     * Stops the subscription's route and closes its client. With {@code endSession} the broker's
     * session ends too (nothing more is queued for it); without, it is kept for the next start.
     */
    public boolean stop(UUID integrationId, boolean endSession) {
        synchronized (lock(integrationId)) {
            changedAt.put(integrationId, System.nanoTime());
            return stopRunning(integrationId, endSession, true);
        }
    }

    /** An integration changed or went: follow it (restart with new settings, or stop and end the session). */
    public void integrationChanged(UUID organizationId, UUID integrationId) {
        Optional<SubscriptionRecord> subscription = store.get(organizationId, integrationId);
        Optional<IntegrationRecord> integration = integrations.get(organizationId, integrationId);
        if (subscription.isEmpty() || integration.isEmpty() || !integration.get().enabled()) {
            stop(integrationId, true);
        } else if (IntegrationTargets.sharedGroup(integration.get()) != null
                || settings.nodeId().equals(store.claim(integrationId, settings.nodeId()).orElse(null))) {
            start(subscription.get());
        } else {
            synchronized (lock(integrationId)) {
                stop(integrationId, sessionMoves(running.get(integrationId), integration.get()));
            }
        }
    }

    /** This node's id (the owner it writes on the subscriptions it is asked to start). */
    public String nodeId() {
        return settings.nodeId();
    }

    /** The template or its error handling was reloaded: re-create every subscription route from it. */
    public void routeFilesChanged(Set<String> ids) {
        if (!ids.contains(TEMPLATE) && !ids.contains(ERROR_CONFIGURATION)) {
            return;
        }
        for (Running run : List.copyOf(running.values())) {
            synchronized (lock(run.record.integrationId())) {
                if (running.get(run.record.integrationId()) != run) {
                    continue; // stopped or restarted meanwhile: nothing of the old template left to replace
                }
                LOG.info("Re-creating the subscription route {} from the reloaded template", run.routeId);
                startLocked(run.record, run.version);
            }
        }
    }

    public Optional<Running> running(UUID integrationId) {
        return Optional.ofNullable(running.get(integrationId));
    }

    /** The status shown for an integration: running, stored but stopped, or none. */
    public Optional<Map<String, Object>> view(UUID organizationId, UUID integrationId) {
        Running run = running.get(integrationId);
        if (run != null) {
            return Optional.of(run.status.view());
        }
        return store.get(organizationId, integrationId).map(r -> SubscriptionStatus.stopped(r.topics(), r.qos()).view());
    }

    public Map<UUID, SubscriptionStatus> statuses() {
        Map<UUID, SubscriptionStatus> all = new LinkedHashMap<>();
        running.forEach((id, run) -> all.put(id, run.status));
        return all;
    }

    /**
     * A message was not stored and stays unacknowledged: the broker only delivers it again on a
     * new connection, so reconnect — once per connection (failures of messages that came on an
     * earlier connection are already being delivered again), backing off while failures go on.
     *
     * @param connection the number of the connection the message came on
     */
    public void redeliverLater(UUID integrationId, int connection) {
        Running run = running.get(integrationId);
        if (run == null || run.stopped || connection != run.status.connection()
                || !run.redeliveryPending.compareAndSet(false, true)) {
            return;
        }
        long delay = redeliveryBackoff.delayMillis(run.redeliveryRound.getAndIncrement());
        executor.schedule(() -> {
            synchronized (run) {
                run.redeliveryPending.set(false);
                if (run.stopped || run.client == null || !run.client.isConnected() || connection != run.status.connection()) {
                    return; // reconnected meanwhile, or Paho's own reconnect (or the retry loop) is at it
                }
                LOG.info("Reconnecting subscription {} so the broker delivers its unacknowledged messages again", run.routeId);
                run.status.reconnecting("messages were not stored; reconnecting for redelivery");
                try {
                    run.client.disconnectKeepingSession();
                } catch (MqttException e) {
                    LOG.debug("disconnect before redelivery: {}", e.getMessage());
                }
                connect(run);
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** A message of the integration's subscription was committed (its status counts it). */
    public void stored(UUID integrationId) {
        Running run = running.get(integrationId);
        if (run != null) {
            run.status.stored.incrementAndGet();
            run.redeliveryRound.set(0);
        }
    }

    private void attempt(Running run, IntegrationRecord integration) {
        synchronized (run) {
            if (run.stopped) {
                return;
            }
            try {
                if (run.client == null) {
                    createRoute(run, integration);
                }
            } catch (BrokerException e) {
                failed(run, e.kind() + ": " + e.getMessage());
                return;
            } catch (Exception e) {
                LOG.error("Could not create the subscription route {}", run.routeId, e);
                failed(run, "the subscription route could not start: " + e.getMessage());
                return;
            }
            connect(run);
        }
    }

    /**
     * One connection attempt of an existing client, without waiting for the CONNACK (so a few
     * threads start thousands of subscriptions at once); connected, it subscribes; on failure, the
     * next attempt after a jittered backoff.
     */
    private void connect(Running run) {
        if (run.stopped || run.client.isConnected()) {
            return; // connected meanwhile
        }
        SubscriptionClient client = run.client;
        try {
            client.connectAsync(run.options, () -> executor.execute(() -> {
                synchronized (run) {
                    if (run.stopped || run.client != client) {
                        return;
                    }
                    run.attempts = 0;
                    run.status.connected();
                    client.subscribeAll();
                }
            }), e -> executor.execute(() -> {
                synchronized (run) {
                    if (run.stopped || run.client != client) {
                        return;
                    }
                    BrokerException b = BrokerClients.classify(e, true);
                    failed(run, b.kind() + ": " + b.getMessage());
                }
            }));
        } catch (MqttException e) {
            if (e.getReasonCode() == MqttClientException.REASON_CODE_CONNECT_IN_PROGRESS) {
                run.pending = executor.schedule(() -> {
                    synchronized (run) {
                        connect(run);
                    }
                }, 1, TimeUnit.SECONDS);
                return; // Paho's automatic reconnect is at it: look again later
            }
            BrokerException b = BrokerClients.classify(e, true);
            failed(run, b.kind() + ": " + b.getMessage());
        }
    }

    private void failed(Running run, String reason) {
        run.status.failedToConnect(reason);
        if (!run.failing) {
            run.failing = true;
            LOG.warn("Subscription {} could not connect: {}", run.routeId, reason);
            record(run, "subscription.error", "error", Map.of("error", reason));
        }
        // Jittered: subscriptions that failed together (a broker down at start) retry spread out.
        long delay = retryBackoff.delayMillis(run.attempts++);
        run.pending = executor.schedule(() -> {
            if (run.client == null) {
                integrations.get(run.record.organizationId(), run.record.integrationId())
                        .ifPresent(current -> attempt(run, current));
            } else {
                synchronized (run) {
                    connect(run);
                }
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    /** Called by the client after each (re)subscription: the subscription is live. */
    private void subscribed(Running run) {
        run.failing = false;
        LOG.info("Subscription {} connected and subscribed to {}", run.routeId, run.record.topics());
        record(run, "subscription.connected", "ok", Map.of("topics", run.record.topics()));
    }

    private void createRoute(Running run, IntegrationRecord integration) throws Exception {
        BrokerClients.Target target = targets.subscriptionTarget(integration, settings.nodeId());
        InetAddress address = guard.resolve(target.host(), target.port());
        String url = BrokerClients.url(address, target);
        SubscriptionClient client = new SubscriptionClient(url, target.clientId(), "subscription-" + run.record.integrationId(),
                run.record.topics(), IntegrationTargets.sharedGroup(integration), run.status, executor, () -> subscribed(run),
                clientThreads);
        client.unsubscribeOnce(run.droppedFilters);
        // No call on the client may block for ever (Paho waits without limit by default).
        client.setTimeToWait(settings.connectTimeoutSeconds() * 1000L);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("integrationId", run.record.integrationId().toString());
        parameters.put("client", run.clientBean);
        parameters.put("qos", run.record.qos());
        parameters.put("keepAliveSeconds", target.keepAliveSeconds());
        parameters.put("sessionExpirySeconds", IntegrationTargets.sessionExpirySeconds(integration));
        try {
            // The client's registry entry with the route: the registry is a plain map too.
            transitions.during(run.routeId, () -> {
                context.getRegistry().bind(run.clientBean, client);
                context.addRouteFromTemplate(run.routeId, TEMPLATE, parameters);
            });
            Route route = context.getRoute(run.routeId);
            if (!(route.getEndpoint() instanceof PahoMqtt5Endpoint endpoint)) {
                throw new IllegalStateException("template " + TEMPLATE + " must consume from a paho-mqtt5 endpoint");
            }
            run.options = options(target, address, endpoint.getConfiguration(), settings.connectTimeoutSeconds());
            client.setManualAcks(true);
            run.client = client;
        } catch (Exception e) {
            removeRoute(run);
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
        // Paho reconnects a lost connection by itself (1 s doubling to the bound, not jittered: a
        // timer thread per reconnecting client). An own jittered supervisor was tried and left a
        // client "connect already in progress" for good after a network cut: see issue 14's notes.
        o.setAutomaticReconnect(c.isAutomaticReconnect());
        int maxDelaySeconds = Math.max(1, c.getMaxReconnectDelay() / 1000);
        o.setAutomaticReconnectDelay(1, maxDelaySeconds);
        o.setMaxReconnectDelay(c.getMaxReconnectDelay());
        if (c.getReceiveMaximum() > 0) {
            o.setReceiveMaximum(c.getReceiveMaximum());
        }
        return o;
    }

    /**
     * @param removeRoute whether the route goes too (not at the service's stop: Camel's stop removes
     *        every route, and removing 2,000 one by one walked all the others' endpoints each time)
     */
    private boolean stopRunning(UUID integrationId, boolean endSession, boolean removeRoute) {
        Running run = running.remove(integrationId);
        if (run == null) {
            return false;
        }
        run.stopped = true;
        synchronized (run) {
            if (run.pending != null) {
                run.pending.cancel(false);
            }
            // The route first: it takes no new messages, and those in flight are committed and
            // acknowledged while still connected (Camel's consumer drops its client when it stops).
            if (run.client != null) {
                run.client.drain();
                awaitInflight(run.routeId);
            }
            takeDown(run, removeRoute);
            if (run.client != null) {
                if (endSession) {
                    run.client.closeSession();
                } else {
                    run.client.closeQuietly();
                }
            }
            run.status.stopped();
        }
        LOG.info("Subscription {} stopped{}", run.routeId, endSession ? " and its broker session ended" : "");
        return true;
    }

    private void awaitInflight(String routeId) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.drainSeconds());
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

    private void removeRoute(Running run) {
        takeDown(run, true);
    }

    /** Stops the route and, with {@code remove}, removes it with its definition and client bean. */
    private void takeDown(Running run, boolean remove) {
        try {
            transitions.during(run.routeId, () -> {
                if (context.getRoute(run.routeId) != null) {
                    context.getRouteController().stopRoute(run.routeId);
                    if (remove) {
                        context.removeRoute(run.routeId);
                    }
                }
                if (!remove) {
                    return;
                }
                Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
                RouteDefinition definition = model.getRouteDefinition(run.routeId);
                if (definition != null) {
                    model.removeRouteDefinition(definition);
                }
                context.getRegistry().unbind(run.clientBean);
            });
        } catch (Exception e) {
            LOG.warn("Could not {} route {}: {}", remove ? "remove" : "stop", run.routeId, e.getMessage());
        }
    }

    private void record(Running run, String action, String outcome, Map<String, Object> detail) {
        executor.execute(() -> {
            try {
                activity.record(run.record.organizationId(), run.record.integrationId(), null, ACTOR, action, outcome,
                        io.mqttintegration.parsers.Json.strict().writeValueAsString(detail));
            } catch (Exception e) {
                LOG.debug("activity entry {} not written: {}", action, e.getMessage());
            }
        });
    }

    /**
     * Service stop: every route stops (in-flight messages committed and acknowledged), sessions
     * kept. The subscriptions stop side by side ({@value #CONNECT_THREADS} at a time), each under
     * its own lock as usual, so the stop takes about as long as the slowest one, not their sum.
     */
    @Override
    public void close() {
        closed = true; // from now on no start adds a subscription (each looks under its integration's lock)
        long start = System.nanoTime();
        // Every integration ever locked: a start that added one before seeing closed holds that lock.
        List<UUID> ids = List.copyOf(locks.keySet());
        ExecutorService stopping = Executors.newFixedThreadPool(CONNECT_THREADS, ClientThreads.daemon("mqi-subscriptions-stop-"));
        try {
            List<Future<?>> stops = new ArrayList<>();
            for (UUID id : ids) {
                stops.add(stopping.submit(() -> {
                    synchronized (lock(id)) {
                        stopRunning(id, false, false);
                    }
                }));
            }
            for (Future<?> stop : stops) {
                try {
                    stop.get();
                } catch (ExecutionException e) {
                    LOG.warn("Stopping a subscription failed: {}", e.getCause().getMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopping.shutdownNow();
        }
        LOG.info("Stopped the persistent subscriptions in {} ms (sessions kept)",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        executor.shutdownNow();
        clientThreads.close();
    }
}
