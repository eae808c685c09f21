package io.mqttintegration.runtime.presence;

import io.mqttintegration.runtime.config.PresenceConfig;
import io.mqttintegration.runtime.integrations.BrokerSettings;
import io.mqttintegration.spi.broker.DeviceConnection;
import io.mqttintegration.spi.broker.DisconnectReason;
import io.mqttintegration.storage.StorageUnavailableException;
import io.mqttintegration.storage.presence.ConnectionChange;
import io.mqttintegration.storage.presence.DeviceKey;
import io.mqttintegration.storage.presence.PresenceStore;
import io.mqttintegration.storage.presence.Seen;
import io.mqttintegration.storage.presence.Transition;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device presence on this node (docs/devices.md). One thread writes: every {@code presence.flushMillis}
 * the hosted connection events (in their order, a statement per round of distinct devices) and then
 * last seen (one statement); every {@code presence.sweepSeconds} the heartbeat, the sweep (inactivity,
 * lost nodes), the trim of the history of the devices that had transitions, and the count of the
 * devices connected to the other nodes. A flush the database did not take is retried at the next one
 * (last seen merged with what came since, the connection events first, in order).
 */
public final class PresenceEngine implements HostedPresence, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PresenceEngine.class);
    /** Connection events per statement at most (a connect storm of 10,000 devices is one). */
    static final int EVENTS_PER_FLUSH = 20_000;

    private final PresenceStore store;
    private final PresenceConfig config;
    private final String node;
    private final Clock clock;
    private final PresenceTracker tracker;
    private final ConnectionEvents events;
    private final PresenceMeters meters;
    private final Object flushing = new Object();
    /** Events a flush could not write, first in line for the next; guarded by {@code flushing}. */
    private List<ConnectionChange> retry = List.of();
    /** Devices with transitions since the last trim; guarded by itself. */
    private final Set<DeviceKey> touched = new LinkedHashSet<>();
    private volatile Map<UUID, Integer> elsewhere = Map.of();
    private ScheduledExecutorService thread;

    PresenceEngine(PresenceStore store, PresenceConfig config, String node, PresenceMeters meters, Clock clock) {
        this.store = store;
        this.config = config;
        this.node = node;
        this.clock = clock;
        this.meters = meters;
        this.tracker = new PresenceTracker(config.pendingDevices());
        this.events = new ConnectionEvents(config.pendingDevices());
        meters.dropped("last_seen", tracker, PresenceTracker::leftOut);
        meters.dropped("connection_event", events, ConnectionEvents::dropped);
    }

    /** What the writer tells of each commit. */
    public PresenceTracker tracker() {
        return tracker;
    }

    /**
     * Beats (its start), takes offline what a previous process of this node left online (its
     * connections died with it: node_lost), sweeps once, and schedules the flushes and the sweeps.
     */
    public void start() {
        try {
            store.beat(node, true);
            recorded(store.releaseNode(node, "node_lost"));
            sweep();
        } catch (RuntimeException e) {
            LOG.warn("Device presence could not start cleanly (retried by the sweep): {}", e.getMessage());
        }
        thread = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "mqtt-integration-presence"));
        thread.scheduleWithFixedDelay(this::flushQuietly, config.flushMillis(), config.flushMillis(), TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(this::sweepQuietly, config.sweepSeconds(), config.sweepSeconds(), TimeUnit.SECONDS);
        LOG.info("Device presence on node {}: flush every {} ms, sweep every {} s, nodes lost after {} s", node, config.flushMillis(),
                config.sweepSeconds(), config.nodeTimeoutSeconds());
    }

    @Override
    public void connected(DeviceConnection c) {
        queue(new ConnectionChange(c.identity().organizationId(), c.identity().integrationId(), c.identity().username(), c.connectionId(),
                c.clientId(), c.remoteAddress(), c.at(), null, false));
    }

    @Override
    public void disconnected(DeviceConnection c, DisconnectReason reason, boolean willPublished) {
        queue(new ConnectionChange(c.identity().organizationId(), c.identity().integrationId(), c.identity().username(), c.connectionId(),
                c.clientId(), c.remoteAddress(), clock.instant(), reason.label(), willPublished));
    }

    private void queue(ConnectionChange change) {
        if (change.integrationId() == null || change.organizationId() == null) {
            return;
        }
        if (!events.offer(change) && events.dropped() % 1_000 == 1) {
            LOG.warn("Device presence: {} hosted connection events wait (presence.pendingDevices); dropped {} so far", events.waiting(),
                    events.dropped());
        }
    }

    @Override
    public int connectedElsewhere(UUID organizationId) {
        return elsewhere.getOrDefault(organizationId, 0);
    }

    /** The connection events, then last seen, written now. */
    @Override
    public void flush() {
        synchronized (flushing) {
            flushConnections();
            flushSeen();
        }
    }

    private void flushConnections() {
        while (true) {
            List<ConnectionChange> batch = new ArrayList<>(retry);
            retry = List.of();
            batch.addAll(events.drain(Math.max(0, EVENTS_PER_FLUSH - batch.size())));
            if (batch.isEmpty()) {
                return;
            }
            List<List<ConnectionChange>> rounds = ConnectionEvents.rounds(batch);
            for (int i = 0; i < rounds.size(); i++) {
                try {
                    recorded(store.connections(node, rounds.get(i)));
                } catch (StorageUnavailableException e) {
                    List<ConnectionChange> left = new ArrayList<>();
                    rounds.subList(i, rounds.size()).forEach(left::addAll);
                    retry = left;
                    throw e;
                } catch (RuntimeException e) {
                    LOG.warn("Device presence: {} hosted connection events not recorded: {}", rounds.get(i).size(), e.getMessage());
                }
            }
            if (batch.size() < EVENTS_PER_FLUSH) {
                return;
            }
        }
    }

    private void flushSeen() {
        List<Seen> seen = tracker.drain();
        if (seen.isEmpty()) {
            return;
        }
        try {
            recorded(store.seen(seen));
        } catch (StorageUnavailableException e) {
            tracker.restore(seen);
            throw e;
        } catch (RuntimeException e) {
            LOG.warn("Device presence: last seen of {} devices not recorded: {}", seen.size(), e.getMessage());
        }
    }

    /** Heartbeat, inactivity and lost nodes, the trim of the history, the counts of the other nodes. */
    void sweep() {
        store.beat(node, false);
        recorded(store.sweep(node, config.nodeTimeoutSeconds(), BrokerSettings.DEFAULT_INACTIVITY_TIMEOUT_SECONDS));
        List<DeviceKey> trim;
        synchronized (touched) {
            trim = new ArrayList<>(touched);
            touched.clear();
        }
        if (!trim.isEmpty()) {
            store.trim(trim, config.historyPerDevice());
        }
        elsewhere = Map.copyOf(store.connectedElsewhere(node, config.nodeTimeoutSeconds()));
    }

    private void recorded(List<Transition> transitions) {
        if (transitions.isEmpty()) {
            return;
        }
        meters.recorded(transitions);
        synchronized (touched) {
            // Bounded: beyond it a device's history waits for its next transition to be trimmed.
            for (Transition t : transitions) {
                if (touched.size() >= config.pendingDevices()) {
                    break;
                }
                touched.add(t.key());
            }
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("Device presence: flush failed, retried in {} ms: {}", config.flushMillis(), e.getMessage());
        }
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.warn("Device presence: sweep failed, retried in {} s: {}", config.sweepSeconds(), e.getMessage());
        }
    }

    /**
     * A clean stop, once the pipeline has committed what it held: the last flush, the devices still
     * online on this node's broker offline (node_stopped), and the node marked stopped.
     */
    @Override
    public void close() {
        if (thread != null) {
            thread.shutdown();
            try {
                thread.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            flush();
            recorded(store.releaseNode(node, DisconnectReason.NODE_STOPPED.label()));
            store.nodeStopped(node);
        } catch (RuntimeException e) {
            LOG.warn("Device presence: the stop of node {} was not recorded (its devices go offline when it is taken for lost): {}", node,
                    e.getMessage());
        }
        meters.close();
    }
}
