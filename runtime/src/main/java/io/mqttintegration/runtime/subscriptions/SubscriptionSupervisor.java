package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.runtime.mqtt.BrokerClients;
import io.mqttintegration.runtime.mqtt.BrokerException;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.SubscriptionRecord;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running subscription of this node: its route and client, its status, its connection attempts
 * (retried after {@link Backoff#jittered} delays while they fail), its reconnects for redelivery
 * (after {@link Backoff#doubling} delays while deliveries fail), and its stop. {@link Subscriptions}
 * makes one per start and stops it for good; a restart is a new supervisor.
 *
 * <p>Connecting does not wait for the CONNACK: the client reports it on Paho's thread and the
 * supervisor carries on on the subscriptions' executor, so a few threads start thousands of
 * subscriptions at once. Every connection attempt, the first and every reconnect after a lost
 * connection alike, is the supervisor's (Paho's own automatic reconnect is off): each has a
 * deadline of {@code connectTimeoutMillis} for its CONNACK, after which it is abandoned and retried
 * with the jittered backoff, and none starts before the client's last callback loop has ended
 * ({@link ClientLoops}). A broker that accepts TCP and never answers costs a retry, not a hang.
 *
 * <p>Locking: the supervisor's state (its client, the pending retry, the attempt count) is guarded
 * by a lock of its own, held for each connection attempt (creating the route included) and each
 * reaction to its outcome, never while waiting for anything else of the service. {@link #stop}
 * takes it only to mark the supervisor stopped and take its client; draining, taking the route down
 * and closing the client happen after, outside it: every step that follows sees it stopped and does
 * nothing. It never calls back into {@link Subscriptions}, so the one order in which locks nest is
 * the integration's lock ({@link Subscriptions}) around this one, around {@code RouteTransitions}'.
 */
public final class SubscriptionSupervisor {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionSupervisor.class);
    /** How soon to look again when Paho's own reconnect holds the client ("connect already in progress"). */
    static final long CONNECT_IN_PROGRESS_RETRY_MILLIS = 1000;
    /** How often a connect looks whether the client's last callback loop has ended. */
    static final long CALLBACK_POLL_MILLIS = 20;

    /** The MQTT client of a subscription, with the connection options its route declares. */
    interface Client {
        /**
         * Starts connecting without waiting: {@code connected} (given the CONNACK's Session Present)
         * or {@code failed} runs on Paho's callback thread later.
         */
        void connectAsync(Consumer<Boolean> connected, Consumer<MqttException> failed) throws MqttException;

        boolean isConnected();

        /**
         * One SUBSCRIBE with every filter, unless the broker kept the session ({@code sessionPresent})
         * and it holds them already.
         */
        void subscribeAll(boolean sessionPresent);

        /** A normal DISCONNECT keeping the session: the broker delivers what is unacknowledged again. */
        void disconnectKeepingSession() throws MqttException;

        /** Gives up a connect under way (no CONNACK in time): the connection is closed, the attempt fails. */
        void abandonConnect();

        /** Where the integration's messages carry their own id. */
        MessageIdentity identity();

        /** Whether the last connection's callback loop has ended (a connect may start). */
        boolean callbackEnded();

        /** A message (by packet id) was not stored: the broker's next copy of it is stored as new. */
        void notStored(int packetId);

        /** Takes no more messages (they stay unacknowledged). */
        void drain();

        /** Disconnects ending the broker's session, then closes. */
        void closeSession();

        /** Disconnects keeping the broker's session, then closes. */
        void closeQuietly();

        String clientId();

        /** The MQTT 5 shared subscription group, or null. */
        String sharedGroup();
    }

    /** The Camel side of one subscription: {@link SubscriptionRoutes} in the service, a fake in unit tests. */
    interface Route {
        /**
         * Creates the subscription's route and its client (not yet connected).
         *
         * @param subscribed told after each successful (re)subscription
         * @param lost told when the connection is lost (not when the service closes it)
         * @param droppedFilters filters the kept session still holds: unsubscribed once connected
         * @throws BrokerException when the integration's broker address is not allowed or not found
         */
        Client create(IntegrationRecord integration, SubscriptionStatus status, Runnable subscribed, Runnable lost,
                List<String> droppedFilters) throws Exception;

        /** Waits, for a bounded time, until the route's messages in flight are stored. */
        void awaitInflight();

        /** Stops the route; with {@code remove}, removes it with its definition and client bean. */
        void takeDown(boolean remove);
    }

    /**
     * How long a supervisor waits.
     *
     * @param retry delays of attempts to connect a subscription that has not been connected yet
     * @param reconnect delays of attempts after a lost connection
     * @param redelivery delays of reconnects for redelivery
     * @param connectTimeoutMillis how long one connection attempt may wait for its CONNACK
     */
    record Timing(Backoff retry, Backoff reconnect, Backoff redelivery, long connectTimeoutMillis) {
    }

    /** Where a supervisor runs its steps and timers: the subscriptions' executor (a manual one in tests). */
    interface Timers {
        void execute(Runnable step);

        Future<?> schedule(Runnable step, long delayMillis);

        static Timers on(ScheduledExecutorService executor) {
            return new Timers() {
                @Override
                public void execute(Runnable step) {
                    executor.execute(step);
                }

                @Override
                public Future<?> schedule(Runnable step, long delayMillis) {
                    return executor.schedule(step, delayMillis, TimeUnit.MILLISECONDS);
                }
            };
        }
    }

    private final SubscriptionRecord record;
    private final SubscriptionStatus status;
    private final String routeId;
    private final Route route;
    private final Supplier<Optional<IntegrationRecord>> integration;
    private final Timers timers;
    private final SubscriptionActivity activity;
    private final Backoff retry;
    private final Backoff reconnect;
    private final Backoff redelivery;
    private final long connectTimeoutMillis;
    /** Since a lost connection and until connected again: retries use the reconnect backoff. */
    private boolean reconnecting;
    /** Filters an earlier run of this subscription had and this one has not (unsubscribed once connected). */
    private final List<String> droppedFilters;

    private final Object lock = new Object();
    private volatile boolean stopped;
    /** Written under the lock; read without it by the session check of a restart. */
    private volatile Client client;
    private Future<?> pending;
    private Future<?> deadline;
    private int attempts;
    /** Numbers the connection attempts: an abandoned attempt's late outcome is ignored. */
    private int attempt;
    /** Polls while a connect waits for the client's last callback loop to end. */
    private int callbackWaits;
    private volatile boolean failing;
    private final AtomicBoolean redeliveryPending = new AtomicBoolean();
    private final AtomicInteger redeliveryRound = new AtomicInteger();
    /** The row's version this run follows; null when started by this node's API (adopted at the next sync). */
    private volatile OffsetDateTime version;

    /**
     * @param integration reads the integration again for a retry whose route could not be created
     * @param timing the backoffs and the connect deadline
     */
    SubscriptionSupervisor(SubscriptionRecord record, OffsetDateTime version, List<String> droppedFilters, Route route,
            Supplier<Optional<IntegrationRecord>> integration, Timers timers, SubscriptionActivity activity, Timing timing) {
        this.record = record;
        this.version = version;
        this.droppedFilters = List.copyOf(droppedFilters);
        this.status = new SubscriptionStatus(record.topics(), record.qos());
        this.routeId = SubscriptionRoutes.routeId(record.integrationId());
        this.route = route;
        this.integration = integration;
        this.timers = timers;
        this.activity = activity;
        this.retry = timing.retry();
        this.reconnect = timing.reconnect();
        this.redelivery = timing.redelivery();
        this.connectTimeoutMillis = timing.connectTimeoutMillis();
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

    SubscriptionRecord record() {
        return record;
    }

    OffsetDateTime version() {
        return version;
    }

    /** The row this run was started from through the API, as the table now shows it. */
    void adopt(OffsetDateTime rowVersion) {
        this.version = rowVersion;
    }

    /** The client, or null while its route is not created. */
    Client client() {
        return client;
    }

    /** Creates the route and connects, in the background. */
    void begin(IntegrationRecord current) {
        timers.execute(() -> attempt(current));
    }

    /** Where the integration's messages carry their own id: none until the route exists. */
    MessageIdentity identity() {
        Client c = client;
        return c == null ? MessageIdentity.NONE : c.identity();
    }

    /** A message of this subscription arrived: counted; returns the number of the connection it came on. */
    int received() {
        status.received.incrementAndGet();
        return status.connection();
    }

    /** A message of this subscription was committed: counted, and the redelivery backoff starts over. */
    void stored() {
        status.stored.incrementAndGet();
        redeliveryRound.set(0);
    }

    /**
     * A message of this subscription was not stored (it stays unacknowledged): counted, and its
     * window forgets it, so that the broker's next copy is stored.
     *
     * @param packetId its packet id, or -1 when unknown
     */
    void deliveryFailed(int packetId) {
        status.failed.incrementAndGet();
        Client c = client;
        if (c != null && packetId > 0) {
            c.notStored(packetId);
        }
    }

    private void attempt(IntegrationRecord current) {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            try {
                if (client == null) {
                    client = route.create(current, status, this::subscribed, this::lost, droppedFilters);
                }
            } catch (BrokerException e) {
                failed(e.kind() + ": " + e.getMessage());
                return;
            } catch (Exception e) {
                LOG.error("Could not create the subscription route {}", routeId, e);
                failed("the subscription route could not start: " + e.getMessage());
                return;
            }
            connect();
        }
    }

    /**
     * One connection attempt of an existing client, without waiting for the CONNACK; connected, it
     * subscribes; on failure, or with no CONNACK by the deadline, the next attempt after a jittered
     * backoff. Waits (polling, no thread held) for the client's last callback loop to end first.
     * Called under the lock.
     */
    private void connect() {
        Client c = client;
        if (stopped || c.isConnected()) {
            return; // connected meanwhile
        }
        if (!c.callbackEnded() && callbackWaits++ < connectTimeoutMillis / CALLBACK_POLL_MILLIS) {
            pending = timers.schedule(this::connectLocked, CALLBACK_POLL_MILLIS);
            return;
        }
        if (!c.callbackEnded()) {
            LOG.warn("Subscription {}: the last connection's callback loop has not ended after {} ms; connecting anyway",
                    routeId, connectTimeoutMillis);
        }
        callbackWaits = 0;
        int current = ++attempt;
        try {
            c.connectAsync(sessionPresent -> timers.execute(() -> {
                synchronized (lock) {
                    if (stopped || client != c || attempt != current) {
                        return;
                    }
                    cancelDeadline();
                    attempts = 0;
                    reconnecting = false;
                    status.connected();
                }
                // Outside the lock: it may read what the session holds from the database first.
                c.subscribeAll(sessionPresent);
            }), e -> timers.execute(() -> {
                synchronized (lock) {
                    if (stopped || client != c || attempt != current) {
                        return;
                    }
                    cancelDeadline();
                    BrokerException b = BrokerClients.classify(e, true);
                    failed(b.kind() + ": " + b.getMessage());
                }
            }));
            deadline = timers.schedule(() -> {
                synchronized (lock) {
                    if (stopped || client != c || attempt != current || c.isConnected()) {
                        // Connected: its CONNACK came, and the step that follows it waits its turn on
                        // this executor (200 subscriptions starting at once on the assembly kept it
                        // busy past the deadline, and connections that worked were abandoned).
                        return;
                    }
                    attempt++; // its outcome, should it still come, is not this supervisor's any more
                    c.abandonConnect();
                    failed("timeout: no CONNACK within " + connectTimeoutMillis + " ms; the attempt was abandoned");
                }
            }, connectTimeoutMillis);
        } catch (MqttException e) {
            if (e.getReasonCode() == MqttClientException.REASON_CODE_CONNECT_IN_PROGRESS) {
                pending = timers.schedule(this::connectLocked, CONNECT_IN_PROGRESS_RETRY_MILLIS);
                return; // an abandoned attempt is still shutting down: look again later
            }
            BrokerException b = BrokerClients.classify(e, true);
            failed(b.kind() + ": " + b.getMessage());
        }
    }

    private void connectLocked() {
        synchronized (lock) {
            connect();
        }
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    /**
     * Called by the client when its connection is lost: reconnects after a jittered backoff (the
     * first within a second), as for a failed attempt, keeping the broker's session.
     */
    private void lost() {
        timers.execute(() -> {
            synchronized (lock) {
                if (stopped || client == null) {
                    return;
                }
                cancelPending();
                reconnecting = true;
                attempts = 0;
                pending = timers.schedule(this::connectLocked, reconnect.delayMillis(attempts++));
            }
        });
    }

    private void cancelPending() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    /** Called under the lock: shows the error, records it once per run of failures, retries later. */
    private void failed(String reason) {
        status.failedToConnect(reason);
        if (!failing) {
            failing = true;
            LOG.warn("Subscription {} could not connect: {}", routeId, reason);
            activity.failing(record, reason);
        }
        // Jittered: subscriptions that failed together (a broker down at start) retry spread out.
        long delay = (reconnecting ? reconnect : retry).delayMillis(attempts++);
        cancelPending();
        pending = timers.schedule(() -> {
            if (client == null) {
                integration.get().ifPresent(this::attempt);
            } else {
                connectLocked();
            }
        }, delay);
    }

    /** Called by the client after each (re)subscription: the subscription is live. */
    private void subscribed() {
        failing = false;
        LOG.info("Subscription {} connected and subscribed to {}", routeId, record.topics());
        activity.connected(record);
    }

    /**
     * A message was not stored and stays unacknowledged: the broker only delivers it again on a
     * new connection, so reconnect — once per connection (failures of messages that came on an
     * earlier connection are already being delivered again), backing off while failures go on.
     *
     * @param connection the number of the connection the message came on
     */
    void redeliverLater(int connection) {
        if (stopped || connection != status.connection() || !redeliveryPending.compareAndSet(false, true)) {
            return;
        }
        long delay = redelivery.delayMillis(redeliveryRound.getAndIncrement());
        timers.schedule(() -> {
            synchronized (lock) {
                redeliveryPending.set(false);
                Client c = client;
                if (stopped || c == null || !c.isConnected() || connection != status.connection()) {
                    return; // reconnected meanwhile, or Paho's own reconnect (or the retry loop) is at it
                }
                LOG.info("Reconnecting subscription {} so the broker delivers its unacknowledged messages again", routeId);
                status.reconnecting("messages were not stored; reconnecting for redelivery");
                try {
                    c.disconnectKeepingSession();
                } catch (MqttException e) {
                    LOG.debug("disconnect before redelivery: {}", e.getMessage());
                }
                connect();
            }
        }, delay);
    }

    /**
     * Stops for good: no attempt or reconnect after this one. The route stops first (it takes no new
     * messages, and those in flight are committed and acknowledged while still connected: Camel's
     * consumer drops its client when it stops), then the client closes, ending the broker's session
     * or keeping it.
     *
     * @param removeRoute whether the route goes too (not at the service's stop: Camel's stop removes
     *        every route, and removing 2,000 one by one walked all the others' endpoints each time)
     */
    void stop(boolean endSession, boolean removeRoute) {
        stopped = true;
        Client c;
        synchronized (lock) {
            cancelPending();
            cancelDeadline();
            c = client;
        }
        if (c != null) {
            c.drain();
            route.awaitInflight();
        }
        route.takeDown(removeRoute);
        if (c != null) {
            if (endSession) {
                c.closeSession();
            } else {
                c.closeQuietly();
            }
        }
        status.stopped();
        LOG.info("Subscription {} stopped{}", routeId, endSession ? " and its broker session ended" : "");
    }
}
