package io.mqttintegration.runtime.subscriptions;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * The messages one subscription has taken from its broker and not yet acknowledged, across the
 * connections of its one MQTT session. It does two things the broker cannot be trusted with:
 * <ul>
 * <li><b>The bound.</b> At most {@code size} messages are in flight: {@link #admit} blocks the
 * client's callback thread while the window is full, so Paho stops reading the socket and TCP
 * holds the rest at the broker. MQTT 5's Receive Maximum asks the same of the broker, but brokers
 * do not all honour it (Mosquitto 2.0 with {@code max_inflight_messages 0} sent 3,000 to a client
 * that asked for 1,000).</li>
 * <li><b>No message twice.</b> A message is identified by its packet id, which the broker keeps when
 * it sends an unacknowledged message again on the next connection of the session (MQTT 5, 4.4).
 * One that arrives again while the first copy is still on its way to the database, or after it was
 * committed but its PUBACK could not go out on the connection it came on, is not stored again: it is
 * acknowledged once the first copy is committed. A PUBACK goes out only on the connection its
 * message came on; a later one would acknowledge whatever the broker sent next under that id.</li>
 * </ul>
 * Plain Java, no Paho: {@link SubscriptionClient} feeds it packet ids and connection events.
 */
final class InflightWindow {

    /** What to do with a message that arrived. */
    enum Admission {
        /** A new message: hand it to the route (a slot is taken; {@link #stored} or {@link #notStored} frees it). */
        DELIVER,
        /** Sent again, and its first copy is committed: acknowledge it now, do not store it. */
        ACKNOWLEDGE,
        /** Sent again while its first copy is on its way: acknowledged when that one is committed. */
        FOLLOWS
    }

    private enum State { QUEUED, STORED }

    private static final class Entry {
        final int fingerprint;
        int connection;
        State state = State.QUEUED;

        Entry(int fingerprint, int connection) {
            this.fingerprint = fingerprint;
            this.connection = connection;
        }
    }

    private final int size;
    private final Semaphore slots;
    /** Messages taken and not acknowledged, by packet id. Guarded by this. */
    private final Map<Integer, Entry> entries = new HashMap<>();
    /**
     * The last {@code size} acknowledged (packet id → fingerprint): a PUBACK queued just before its
     * connection broke never reaches the broker, which then sends the message again with DUP set.
     */
    private final Map<Integer, Integer> acknowledged;
    /** The current connection's number; {@link #up} is false between its end and the next CONNACK. */
    private int connection;
    private boolean up;

    InflightWindow(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("window size must be at least 1, not " + size);
        }
        this.size = size;
        this.slots = new Semaphore(size, true);
        this.acknowledged = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Integer> eldest) {
                return size() > InflightWindow.this.size;
            }
        };
    }

    /** A connection completed (CONNACK): messages from now on belong to it. */
    synchronized void connected() {
        connection++;
        up = true;
    }

    /** The connection ended (lost, or closed by the service): no PUBACK goes out until the next one. */
    synchronized void disconnected() {
        up = false;
    }

    /**
     * Decides about a message the broker delivered; blocks while the window is full.
     *
     * @param duplicate the PUBLISH's DUP flag (from {@link ReceivedDupFlags}: Paho 1.2.5's MqttMessage never has it)
     * @throws InterruptedException while waiting for a slot: the message is not taken (the broker
     *         sends it again on the next connection)
     */
    Admission admit(int packetId, String topic, byte[] payload, boolean duplicate) throws InterruptedException {
        int fingerprint = fingerprint(topic, payload);
        synchronized (this) {
            Entry known = entries.get(packetId);
            if (known != null && known.fingerprint == fingerprint && known.connection != connection) {
                // The broker keeps a packet id until it is acknowledged: this is the same message.
                if (known.state == State.STORED) {
                    entries.remove(packetId);
                    acknowledged.put(packetId, fingerprint);
                    return Admission.ACKNOWLEDGE;
                }
                known.connection = connection;
                return Admission.FOLLOWS;
            }
            Integer acked = acknowledged.get(packetId);
            if (duplicate && acked != null && acked == fingerprint) {
                return Admission.ACKNOWLEDGE; // its PUBACK was lost with the connection it went out on
            }
        }
        slots.acquire();
        synchronized (this) {
            entries.put(packetId, new Entry(fingerprint, connection));
        }
        return Admission.DELIVER;
    }

    /**
     * The message is committed. Returns whether to send its PUBACK now (its connection is still
     * up); otherwise it waits for the broker to send it again and is acknowledged then.
     */
    boolean stored(int packetId) {
        boolean acknowledge;
        synchronized (this) {
            Entry e = entries.get(packetId);
            if (e == null || e.state == State.STORED) {
                return false; // not ours (a QoS 0 message), or already counted
            }
            e.state = State.STORED;
            acknowledge = up && e.connection == connection;
            if (acknowledge) {
                entries.remove(packetId);
                acknowledged.put(packetId, e.fingerprint);
            }
        }
        slots.release();
        return acknowledge;
    }

    /**
     * The PUBACK of a stored message could not be sent (the connection broke meanwhile): it is
     * acknowledged when the broker sends the message again.
     */
    synchronized void acknowledgementFailed(int packetId) {
        Integer fingerprint = acknowledged.remove(packetId);
        if (fingerprint != null) {
            Entry e = new Entry(fingerprint, -1);
            e.state = State.STORED;
            entries.put(packetId, e);
        }
    }

    /** The message was not stored: forgotten, so that the broker's next copy is stored. */
    void notStored(int packetId) {
        boolean freed;
        synchronized (this) {
            Entry e = entries.get(packetId);
            freed = e != null && e.state == State.QUEUED;
            if (freed) {
                entries.remove(packetId);
            }
        }
        if (freed) {
            slots.release();
        }
    }

    /** Messages handed to the route and not yet stored or failed. */
    int inFlight() {
        return size - slots.availablePermits();
    }

    /** Messages stored whose PUBACK waits for the broker to send them again. */
    synchronized int awaitingResend() {
        return (int) entries.values().stream().filter(e -> e.state == State.STORED).count();
    }

    int size() {
        return size;
    }

    static int fingerprint(String topic, byte[] payload) {
        return 31 * topic.hashCode() + Arrays.hashCode(payload);
    }
}
