package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.storage.tenants.SubscriptionState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one subscription is doing, as GET /api/v1/integrations/{id} shows it: its state, since when
 * it is connected, its last error, and message counters since it was (re)started in this process.
 */
public final class SubscriptionStatus {

    public enum State { CONNECTING, CONNECTED, RECONNECTING, STOPPED, ERROR }

    private final List<String> topics;
    private final int qos;
    private volatile State state = State.CONNECTING;
    private volatile Instant connectedSince;
    private volatile String lastError;
    private volatile Instant lastErrorAt;
    /** Counts connections (moved on when one ends): a delivery belongs to the connection it came on. */
    private final java.util.concurrent.atomic.AtomicInteger connection = new java.util.concurrent.atomic.AtomicInteger();
    final AtomicLong received = new AtomicLong();
    final AtomicLong stored = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    public SubscriptionStatus(List<String> topics, int qos) {
        this.topics = List.copyOf(topics);
        this.qos = qos;
    }

    /** A status for a subscription that is stored but not running (its integration is disabled). */
    public static SubscriptionStatus stopped(List<String> topics, int qos) {
        SubscriptionStatus status = new SubscriptionStatus(topics, qos);
        status.state = State.STOPPED;
        return status;
    }

    public State state() {
        return state;
    }

    public List<String> topics() {
        return topics;
    }

    public int qos() {
        return qos;
    }

    void connected() {
        connectedSince = Instant.now();
        state = State.CONNECTED;
    }

    /**
     * The connection went; Paho (or the service) is connecting again. The connection number moves
     * on now, not once connected: a broker resends the unacknowledged messages right after its
     * CONNACK, before the client reports the connection complete, and a message counted on the old
     * connection would not get the reconnect its failure needs (seen: one message left unacknowledged
     * on a live connection, never delivered again). A late message of the old connection counted on
     * the new one only costs a reconnect more.
     */
    void reconnecting(String reason) {
        connection.incrementAndGet();
        connectedSince = null;
        state = State.RECONNECTING;
        if (reason != null) {
            error(reason);
        }
    }

    /** The last attempt failed: retried with backoff, shown as error until it succeeds. */
    void failedToConnect(String reason) {
        connectedSince = null;
        state = State.ERROR;
        error(reason);
    }

    void error(String reason) {
        lastError = reason;
        lastErrorAt = Instant.now();
    }

    void stopped() {
        connectedSince = null;
        state = State.STOPPED;
    }

    /** The number of the current (or last) connection. */
    public int connection() {
        return connection.get();
    }

    public long received() {
        return received.get();
    }

    public long stored() {
        return stored.get();
    }

    public long failed() {
        return failed.get();
    }

    /** This status as this node writes it to {@code subscription_nodes} each reconciliation round. */
    public SubscriptionState snapshot(UUID integrationId) {
        return new SubscriptionState(integrationId, state.name().toLowerCase(Locale.ROOT), connectedSince, lastError, lastErrorAt,
                received.get(), stored.get(), failed.get(), connection.get());
    }

    public Map<String, Object> view() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("state", state.name().toLowerCase(Locale.ROOT));
        v.put("topics", topics);
        v.put("qos", qos);
        v.put("connectedSince", connectedSince == null ? null : connectedSince.toString());
        v.put("lastError", lastError);
        v.put("lastErrorAt", lastErrorAt == null ? null : lastErrorAt.toString());
        v.put("received", received.get());
        v.put("stored", stored.get());
        v.put("failed", failed.get());
        v.put("reconnects", connection.get());
        return v;
    }
}
