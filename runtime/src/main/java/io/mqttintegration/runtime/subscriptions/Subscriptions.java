package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.runtime.integrations.BrokerSettings;
import io.mqttintegration.runtime.integrations.IntegrationTargets;
import io.mqttintegration.runtime.mqtt.BrokerTargets;
import io.mqttintegration.runtime.routes.RouteTransitions;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.SubscriptionRecord;
import io.mqttintegration.storage.tenants.SubscriptionNodes;
import io.mqttintegration.storage.tenants.SubscriptionStore;
import java.time.OffsetDateTime;
import java.util.ArrayList;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent subscriptions of this node: one route per subscribed integration, holding one MQTT 5
 * session per integration. This class is the entry point (the API, the console, the route beans and
 * the service's start and stop call it) and owns what runs: one {@link SubscriptionSupervisor} per
 * running subscription, which connects it (retrying with backoff), reconnects it for redelivery and
 * stops it; {@link SubscriptionRoutes} makes and takes down its route from the template
 * {@value #TEMPLATE}; {@link SubscriptionReconciler} follows the table across nodes.
 *
 * <p>Lifecycle: {@link #startAll} at service start re-creates every stored subscription of an
 * enabled integration; {@link #start} (re)starts one; {@link #stop} with {@code endSession} also
 * ends the broker's session (unsubscribe, integration disabled or deleted); {@link #close} at
 * service stop keeps the sessions, so the broker queues QoS 1 messages until the service is back.
 *
 * <p>Several nodes: {@link #sync}, every {@code mqtt.subscription.syncSeconds}, reconciles this
 * node's routes with the {@code subscriptions} table, so a subscription created, changed or removed
 * through another node is started, restarted or stopped here too; each round then writes this
 * node's view of what it runs to {@code subscription_nodes} ({@link NodeStates}), which
 * {@link #view} shows beside its own. An integration with a
 * {@code sharedGroup} subscribes as {@code $share/<group>/<filter>} with a client id of this node's
 * own ({@link IntegrationTargets#subscriptionTarget}): each node holds its own session in the group.
 * One without a shared group runs on one node only, its row's {@code owner_node}: the node that
 * answered the subscribe call, or the first to claim it (two clients with the integration's one
 * client id would knock each other off the broker).
 *
 * <p>Locking: each integration has a lock of its own, held while its subscription starts, stops or
 * is reconciled (stopping waits for the messages in flight and for the broker to end the session).
 * No lock spans integrations, so one tenant's slow teardown never holds up another's subscribe.
 * Locks nest in one order only, never the other way: an integration's lock, then its supervisor's
 * (held briefly, for its own state and connection attempts), then {@link RouteTransitions}' (one
 * route change at a time, node-wide). A supervisor never calls back into this class. The routes
 * being stopped, removed and added are marked in {@link RouteTransitions} meanwhile, so
 * {@code /health} does not count them as down.
 */
public final class Subscriptions implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);
    public static final String TEMPLATE = SubscriptionRoutes.TEMPLATE;

    /** Whether the route is an integration's subscription, made from {@link #TEMPLATE}. */
    public static boolean isSubscriptionRoute(String routeId) {
        return routeId != null && routeId.startsWith(TEMPLATE + "-");
    }
    public static final String ERROR_CONFIGURATION = "subscription-errors";

    /**
     * @param connectTimeoutSeconds one TCP (and TLS) connect, and each wait on the client
     * @param connackTimeoutSeconds how long an attempt waits for its CONNACK before it is abandoned
     * @param maxRetrySeconds cap of the backoff of connection retries
     * @param maxReconnectDelayMs cap of the backoff of reconnects after a lost connection
     * @param maxRedeliverySeconds cap of the backoff of reconnects for redelivery (each costs the
     *        broker one resend of the in-flight window, so it may be short)
     * @param drainSeconds how long stopping waits for the messages in flight to be stored
     * @param nodeId this node's id: the suffix of its client ids in shared subscriptions
     * @param syncSeconds how often this node reconciles its routes with the table (0: only at start)
     * @param nodeTimeoutSeconds another node's rows are stale when its heartbeat is older ({@code presence.nodeTimeoutSeconds})
     */
    public record Settings(int connectTimeoutSeconds, int connackTimeoutSeconds, int maxRetrySeconds, int maxReconnectDelayMs, int maxRedeliverySeconds,
            int drainSeconds,
            String nodeId, int syncSeconds, int nodeTimeoutSeconds) {
    }

    private final SubscriptionStore store;
    /** Every node's view of the subscriptions it runs: this node writes its own each round. */
    private final NodeStates nodes;
    private final IntegrationStore integrations;
    private final IntegrationTargets targets;
    private final Settings settings;
    /**
     * The subscriptions' own work (creating routes, subscribing, activity entries) and every timer
     * (retries, reconnects, syncs, the clients' keep-alive pings): four threads for the whole node.
     */
    private final ScheduledExecutorService executor;
    private final SubscriptionSupervisor.Timers timers;
    /**
     * How many subscriptions open a connection at once (and how many stop at once at service stop):
     * each holds a thread ~300 ms, mostly asleep in Paho ({@link ClientThreads}), so ~200 per second.
     */
    static final int CONNECT_THREADS = 64;
    /** Every client's threads: see {@link ClientThreads}. */
    private final ClientThreads clientThreads;
    private final SubscriptionRoutes routes;
    private final SubscriptionActivity activity;
    private final SubscriptionReconciler reconciler;
    /** Retries of a subscription that could not connect, up to maxRetrySeconds, jittered. */
    private final Backoff retryBackoff;
    /** Reconnects after a lost connection: from within 1 s up to maxReconnectDelayMs, jittered. */
    private final Backoff reconnectBackoff;
    /**
     * Reconnects for redelivery: 1 s, 2 s, 4 s, ... up to maxRedeliverySeconds, and never more than
     * {@value #MAX_REDELIVERY_BACKOFF_SECONDS} s while failures go on; not jittered.
     */
    private final Backoff redeliveryBackoff;
    static final int MAX_REDELIVERY_BACKOFF_SECONDS = 32;
    private final Map<UUID, SubscriptionSupervisor> running = new ConcurrentHashMap<>();
    /**
     * One lock per integration: starting, stopping and reconciling one subscription (which may wait
     * for its messages in flight and for the broker to end its session) never holds up another's.
     */
    private final Map<UUID, Object> locks = new ConcurrentHashMap<>();
    /** When this node last started or stopped each subscription (System.nanoTime). */
    private final Map<UUID, Long> changedAt = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public Subscriptions(CamelContext context, SubscriptionStore store, SubscriptionNodes nodes, IntegrationStore integrations,
            IntegrationTargets targets, BrokerTargets guard, ActivityLog activity, Settings settings,
            RouteTransitions transitions) {
        this.store = store;
        this.nodes = new NodeStates(nodes, settings.nodeId(), settings.nodeTimeoutSeconds());
        this.integrations = integrations;
        this.targets = targets;
        this.settings = settings;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newScheduledThreadPool(4, r -> {
            Thread t = new Thread(r, "mqi-subscriptions-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.timers = SubscriptionSupervisor.Timers.on(executor);
        this.clientThreads = new ClientThreads(executor, CONNECT_THREADS);
        this.routes = new SubscriptionRoutes(context, transitions, targets, guard, settings.nodeId(),
                settings.connectTimeoutSeconds(), settings.drainSeconds(), executor, clientThreads, store);
        this.activity = new SubscriptionActivity.Written(activity, executor);
        this.retryBackoff = Backoff.jittered(1000, Math.max(1000, settings.maxRetrySeconds() * 1000L));
        this.reconnectBackoff = Backoff.jittered(1000, Math.max(1000, settings.maxReconnectDelayMs()));
        this.redeliveryBackoff = Backoff.doubling(1000,
                Math.max(1000, Math.min(settings.maxRedeliverySeconds(), MAX_REDELIVERY_BACKOFF_SECONDS) * 1000L));
        this.reconciler = new SubscriptionReconciler(SubscriptionReconciler.Table.of(store), new Local(), System::nanoTime);
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
     * Makes this node's routes follow the {@code subscriptions} table ({@link SubscriptionReconciler}),
     * then writes what runs here ({@link #report}).
     *
     * @return the number of subscriptions started
     */
    public int sync() {
        int started = reconciler.sync();
        report();
        return started;
    }

    /**
     * This node's view of each subscription it runs, in one statement: its rows of the others go.
     * Not once the node closes: its rows stay, and show stale once its heartbeat says it stopped. A
     * failure costs this round's view only (the next round writes it all again).
     */
    void report() {
        if (closed) {
            return;
        }
        try {
            nodes.report(statuses());
        } catch (RuntimeException e) {
            LOG.warn("Could not write this node's subscription states to the database: {}", e.getMessage());
        }
    }

    /** How many times this node has read the table to reconcile its routes. */
    public long syncRounds() {
        return reconciler.rounds();
    }

    /** The integration's lock (package-private: a test holds some to show that close stops the others meanwhile). */
    Object lock(UUID integrationId) {
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
        SubscriptionSupervisor old = running.get(r.integrationId());
        boolean moves = integration.isPresent() && sessionMoves(old, integration.get());
        stopRunning(r.integrationId(), moves, true);
        if (closed || integration.isEmpty() || !integration.get().enabled()) {
            return SubscriptionStatus.stopped(r.topics(), r.qos());
        }
        List<String> dropped = new ArrayList<>();
        if (old != null && !moves) {
            // The kept session still holds the filters the new topics no longer name: the new
            // client unsubscribes them, or the broker would go on delivering them.
            dropped.addAll(old.record().topics());
            dropped.removeAll(r.topics());
        }
        SubscriptionSupervisor run = new SubscriptionSupervisor(r, version, dropped, routes.of(r),
                () -> integrations.get(r.organizationId(), r.integrationId()), timers, activity,
                new SubscriptionSupervisor.Timing(retryBackoff, reconnectBackoff, redeliveryBackoff,
                settings.connackTimeoutSeconds() * 1000L));
        running.put(r.integrationId(), run);
        run.begin(integration.get());
        return run.status();
    }

    /**
     * Whether the restarted subscription leaves its old session behind (another client id, or
     * another shared group): then the old one is ended rather than kept, or the broker would go on
     * queuing messages to it (in a shared group: a share of them, never delivered) until it expires.
     */
    private boolean sessionMoves(SubscriptionSupervisor old, IntegrationRecord integration) {
        SubscriptionSupervisor.Client client = old == null ? null : old.client();
        if (client == null) {
            return false;
        }
        try {
            BrokerSettings now = IntegrationTargets.clearSettings(integration);
            return !now.subscriptionClientId(integration.id(), settings.nodeId()).equals(client.clientId())
                    || !Objects.equals(now.sharedGroup(), client.sharedGroup());
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

    /** Under the integration's lock. */
    private boolean stopRunning(UUID integrationId, boolean endSession, boolean removeRoute) {
        SubscriptionSupervisor run = running.remove(integrationId);
        if (run == null) {
            return false;
        }
        run.stop(endSession, removeRoute);
        return true;
    }

    /** An integration changed or went: follow it (restart with new settings, or stop and end the session). */
    public void integrationChanged(UUID organizationId, UUID integrationId) {
        Optional<SubscriptionRecord> subscription = store.get(organizationId, integrationId);
        Optional<IntegrationRecord> integration = integrations.get(organizationId, integrationId);
        if (subscription.isEmpty() || integration.isEmpty() || !integration.get().enabled()) {
            stop(integrationId, true);
        } else if (IntegrationTargets.clearSettings(integration.get()).sharedGroup() != null
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
        for (SubscriptionSupervisor run : List.copyOf(running.values())) {
            UUID id = run.record().integrationId();
            synchronized (lock(id)) {
                if (running.get(id) != run) {
                    continue; // stopped or restarted meanwhile: nothing of the old template left to replace
                }
                LOG.info("Re-creating the subscription route {} from the reloaded template", run.routeId());
                startLocked(run.record(), run.version());
            }
        }
    }

    public Optional<SubscriptionSupervisor> running(UUID integrationId) {
        return Optional.ofNullable(running.get(integrationId));
    }

    /**
     * The status shown for an integration: running, stored but stopped, or none; with
     * {@code nodes}, every node's view of it (this node's as it is now, the others' as of their
     * last round), by node.
     */
    public Optional<Map<String, Object>> view(UUID organizationId, UUID integrationId) {
        SubscriptionSupervisor run = running.get(integrationId);
        Optional<Map<String, Object>> view = run != null
                ? Optional.of(run.status().view())
                : store.get(organizationId, integrationId).map(r -> SubscriptionStatus.stopped(r.topics(), r.qos()).view());
        view.ifPresent(v -> v.put("nodes", nodes.views(organizationId, integrationId, run == null ? null : run.status())));
        return view;
    }

    public Map<UUID, SubscriptionStatus> statuses() {
        Map<UUID, SubscriptionStatus> all = new LinkedHashMap<>();
        running.forEach((id, run) -> all.put(id, run.status()));
        return all;
    }

    /**
     * A message was not stored and stays unacknowledged: the broker only delivers it again on a
     * new connection, so reconnect — once per connection, backing off while failures go on
     * ({@link SubscriptionSupervisor#redeliverLater}).
     *
     * @param connection the number of the connection the message came on
     */
    public void redeliverLater(UUID integrationId, int connection) {
        SubscriptionSupervisor run = running.get(integrationId);
        if (run != null) {
            run.redeliverLater(connection);
        }
    }

    /** A message of the integration's subscription was committed (its status counts it). */
    public void stored(UUID integrationId) {
        SubscriptionSupervisor run = running.get(integrationId);
        if (run != null) {
            run.stored();
        }
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

    /** This node's subscriptions as the reconciler sees and changes them. */
    private final class Local implements SubscriptionReconciler.Node {

        @Override
        public String nodeId() {
            return settings.nodeId();
        }

        @Override
        public boolean whileOpen(UUID integrationId, Runnable work) {
            synchronized (lock(integrationId)) {
                if (closed) {
                    return false;
                }
                work.run();
                return true;
            }
        }

        @Override
        public boolean changedSince(UUID integrationId, long nanoTime) {
            return Subscriptions.this.changedSince(integrationId, nanoTime);
        }

        @Override
        public Optional<SubscriptionReconciler.Run> running(UUID integrationId) {
            return Subscriptions.this.running(integrationId).map(r -> new SubscriptionReconciler.Run(r.record(), r.version()));
        }

        @Override
        public Set<UUID> runningIds() {
            return running.keySet();
        }

        @Override
        public void adopt(UUID integrationId, OffsetDateTime version) {
            Subscriptions.this.running(integrationId).ifPresent(r -> r.adopt(version));
        }

        @Override
        public void start(SubscriptionRecord subscription, OffsetDateTime version) {
            Subscriptions.this.start(subscription, version);
        }

        @Override
        public void stop(UUID integrationId, boolean endSession) {
            Subscriptions.this.stop(integrationId, endSession);
        }

        @Override
        public boolean sessionMoves(SubscriptionRecord subscription) {
            SubscriptionSupervisor run = running.get(subscription.integrationId());
            return integrations.get(subscription.organizationId(), subscription.integrationId())
                    .map(i -> Subscriptions.this.sessionMoves(run, i)).orElse(true);
        }
    }
}
