package io.mqttintegration.broker;

import io.mqttintegration.spi.broker.ConnectedDevice;
import io.mqttintegration.spi.broker.DeviceConnection;
import io.mqttintegration.spi.broker.DeviceIdentity;
import io.mqttintegration.spi.broker.DeviceLimits;
import io.mqttintegration.spi.broker.DisconnectReason;
import io.mqttintegration.spi.broker.HostedService;
import io.mqttintegration.spi.broker.Refusal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/**
 * The devices connected to this node's hosted broker, each with its token bucket, and the limits of
 * their organizations ({@code quotas.connectedDevices}, {@code quotas.deviceMessagesPerSecond}):
 * {@link #admit} refuses a device whose organization has as many connected as its cap allows, here
 * and on the other nodes of the cluster as device presence last counted them (the count and the
 * admission happen under one lock, so two CONNECTs cannot both take the last slot), and
 * {@link #tryPublish} takes a token of the device's bucket. Refusals are counted by reason.
 * Device presence: each admitted connection is reported to the service when admitted and once when
 * it ends ({@link #release}), with the reason the broker's hooks marked first ({@link #ending}), and
 * whether its last will was published. Free of Artemis: {@link DeviceGuard}, {@link DeviceLimitsPlugin}
 * and {@link DeviceSecurityManager} apply it to the broker.
 */
public final class ConnectedDevices {

    /** A connected device. */
    public static final class Device {
        private final DeviceIdentity identity;
        private final String clientId;
        private final String remoteAddress;
        private final Instant since;
        private final TokenBucket bucket;
        private final LongAdder received = new LongAdder();
        private final DeviceConnection connection;
        private final boolean will;
        /** Why it ends, as first marked; null: nothing marked (the connection was lost). */
        private final AtomicReference<DisconnectReason> ending = new AtomicReference<>();
        /** It ended with a DISCONNECT of reason 0 (the will is discarded). */
        private volatile boolean clean;

        Device(DeviceIdentity identity, String clientId, String remoteAddress, Instant since, TokenBucket bucket,
                DeviceConnection connection, boolean will) {
            this.identity = identity;
            this.clientId = clientId;
            this.remoteAddress = remoteAddress;
            this.since = since;
            this.bucket = bucket;
            this.connection = connection;
            this.will = will;
        }

        public DeviceIdentity identity() {
            return identity;
        }

        public String clientId() {
            return clientId;
        }

        public String remoteAddress() {
            return remoteAddress;
        }

        public Instant since() {
            return since;
        }

        /** Messages the broker took from this device on this connection. */
        public long received() {
            return received.sum();
        }
    }

    private final Function<UUID, DeviceLimits> limits;
    private final ToIntFunction<UUID> elsewhere;
    private final HostedService presence;
    /** Makes the connection ids of device presence unique across the nodes and the broker's restarts. */
    private final String connectionPrefix = UUID.randomUUID().toString();
    /** Connections whose CONNECT set a last will, until admitted or gone. */
    private final Set<Object> wills = ConcurrentHashMap.newKeySet();
    private final int burstSeconds;
    private final Clock clock;
    private final LongSupplier nanoTime;
    private final Map<Object, Device> byConnection = new ConcurrentHashMap<>();
    /** Connected devices per organization; guarded by {@code this}. */
    private final Map<UUID, Integer> perOrganization = new HashMap<>();
    private final Map<Refusal, LongAdder> refusals = new EnumMap<>(Refusal.class);
    private final LongAdder received = new LongAdder();
    /** Connections refused for the cap whose CONNACK is still to be rewritten. */
    private final Set<Object> capRefused = ConcurrentHashMap.newKeySet();
    /** Per connection, rate refusals whose PUBACK/PUBREC is still to be rewritten. */
    private final Map<Object, AtomicInteger> rateRefused = new ConcurrentHashMap<>();
    /** Organizations that had a device connected since the start. */
    private final Set<UUID> organizationsSeen = ConcurrentHashMap.newKeySet();
    private volatile Consumer<UUID> onOrganization;

    /**
     * @param limits       an organization's limits (read by the caller's cache, not per message)
     * @param burstSeconds a device may send this many seconds of its rate at once ({@code quotas.deviceBurstSeconds})
     */
    public ConnectedDevices(Function<UUID, DeviceLimits> limits, int burstSeconds, Clock clock, LongSupplier nanoTime) {
        this(limits, burstSeconds, clock, nanoTime, null);
    }

    /**
     * @param service told of each connection admitted and ended (device presence), and asked how many
     *                devices of an organization are connected to the other nodes; null: neither
     */
    public ConnectedDevices(Function<UUID, DeviceLimits> limits, int burstSeconds, Clock clock, LongSupplier nanoTime,
            HostedService service) {
        this.limits = limits;
        this.presence = service;
        this.elsewhere = service == null ? org -> 0 : service::connectedElsewhere;
        this.burstSeconds = burstSeconds;
        this.clock = clock;
        this.nanoTime = nanoTime;
        for (Refusal r : Refusal.values()) {
            refusals.put(r, new LongAdder());
        }
    }

    /**
     * A device that authenticated on a connection: admitted (true) unless its organization has its
     * cap of devices connected already. A connection admitted before stays admitted.
     */
    public boolean admit(Object connectionId, DeviceIdentity device, String clientId, String remoteAddress) {
        if (byConnection.containsKey(connectionId)) {
            return true;
        }
        DeviceLimits l = limits.apply(device.organizationId());
        Device admitted;
        synchronized (this) {
            int connected = perOrganization.getOrDefault(device.organizationId(), 0);
            // A device reconnecting with its own client id takes its old connection over (Artemis closes
            // that one, which then frees its slot): not refused because its old connection still counts.
            // The organization's devices connected to the other nodes count too (as the last sweep saw them).
            if (connected + elsewhere.applyAsInt(device.organizationId()) >= l.connectedDevices() && !takesOver(device, clientId)) {
                refused(Refusal.DEVICE_CAP);
                capRefused.add(connectionId);
                return false;
            }
            // Artemis closes every other connection with this client id (whoever's): they end taken over.
            if (clientId != null && !clientId.isEmpty()) {
                for (Device d : byConnection.values()) {
                    if (clientId.equals(d.clientId())) {
                        d.ending.compareAndSet(null, DisconnectReason.TAKEN_OVER);
                    }
                }
            }
            Instant now = clock.instant();
            perOrganization.put(device.organizationId(), connected + 1);
            admitted = new Device(device, clientId, remoteAddress, now,
                    new TokenBucket(l.messagesPerSecond(), TokenBucket.capacity(l.messagesPerSecond(), burstSeconds), nanoTime),
                    new DeviceConnection(device, connectionPrefix + "/" + connectionId, clientId, remoteAddress, now),
                    wills.remove(connectionId));
            byConnection.put(connectionId, admitted);
        }
        if (presence != null) {
            presence.connected(admitted.connection);
        }
        if (organizationsSeen.add(device.organizationId())) {
            Consumer<UUID> listener = onOrganization;
            if (listener != null) {
                listener.accept(device.organizationId());
            }
        }
        return true;
    }

    /** The same device (username) is connected with the same client id on another connection. */
    private boolean takesOver(DeviceIdentity device, String clientId) {
        if (clientId == null || clientId.isEmpty()) {
            return false;
        }
        for (Device d : byConnection.values()) {
            if (d.identity().username().equals(device.username()) && clientId.equals(d.clientId())) {
                return true;
            }
        }
        return false;
    }

    /** Told of each organization the first time one of its devices is admitted (and now of those seen before); null: none. */
    public void onOrganization(Consumer<UUID> listener) {
        onOrganization = listener;
        if (listener != null) {
            organizationsSeen.forEach(listener);
        }
    }

    /** A CONNECT arrived on this connection, with a last will or not (before it is authenticated). */
    public void connecting(Object connectionId, boolean will) {
        if (will) {
            wills.add(connectionId);
        } else {
            wills.remove(connectionId);
        }
    }

    /**
     * Why the device's connection is ending, when the broker's hooks know (a DISCONNECT, a revocation,
     * a refusal, Artemis' keep-alive check): the first reason marked is the one reported.
     */
    public void ending(Object connectionId, DisconnectReason reason) {
        Device d = byConnection.get(connectionId);
        if (d != null) {
            d.ending.compareAndSet(null, reason);
        }
    }

    /** The device sent DISCONNECT with this reason code (0: normal, its will is discarded). */
    public void disconnecting(Object connectionId, int reasonCode) {
        Device d = byConnection.get(connectionId);
        if (d != null && d.ending.compareAndSet(null, DisconnectReason.CLIENT_DISCONNECT)) {
            d.clean = reasonCode == 0;
        }
    }

    /** The connection is gone: its device no longer counts against its organization's cap. */
    public void release(Object connectionId) {
        capRefused.remove(connectionId);
        rateRefused.remove(connectionId);
        wills.remove(connectionId);
        Device gone = byConnection.remove(connectionId);
        if (gone != null) {
            synchronized (this) {
                perOrganization.computeIfPresent(gone.identity().organizationId(), (org, n) -> n <= 1 ? null : n - 1);
            }
            if (presence != null) {
                DisconnectReason reason = gone.ending.get() == null ? DisconnectReason.CONNECTION_LOST : gone.ending.get();
                presence.disconnected(gone.connection, reason, gone.will && !gone.clean && reason != DisconnectReason.NODE_STOPPED);
            }
        }
    }

    /**
     * The broker is stopping: every connected device is reported gone, reason node_stopped (its
     * connection is released here; the broker's own close of it later finds nothing).
     */
    public void stopping() {
        for (Object connectionId : List.copyOf(byConnection.keySet())) {
            ending(connectionId, DisconnectReason.NODE_STOPPED);
            release(connectionId);
        }
    }

    /** The device connected on this connection, or null (not a device, or not admitted). */
    public Device device(Object connectionId) {
        return byConnection.get(connectionId);
    }

    /**
     * One message of the device on this connection: true within its rate; false (counted, and
     * remembered for {@link #takeRateRefusal} if {@code acknowledged}) beyond it. A connection that
     * is no admitted device (the service's own) is not limited.
     */
    public boolean tryPublish(Object connectionId, boolean acknowledged) {
        Device d = byConnection.get(connectionId);
        if (d == null || d.bucket.tryTake()) {
            return true;
        }
        refused(Refusal.RATE);
        if (acknowledged) {
            rateRefused.computeIfAbsent(connectionId, k -> new AtomicInteger()).incrementAndGet();
        }
        return false;
    }

    /**
     * The broker took a message of the device on this MQTT connection. It counts in all even when the
     * connection is released already: Artemis routes a PUBLISH on the connection's own executor, after
     * its interceptors ran on the Netty thread, so a later packet refused there can close the
     * connection before an earlier one is routed (and stored).
     */
    public void received(Object connectionId) {
        received.increment();
        Device d = byConnection.get(connectionId);
        if (d != null) {
            d.received.increment();
        }
    }

    /** True once for each acknowledgement that refuses a message for the rate ({@link #tryPublish}). */
    public boolean takeRateRefusal(Object connectionId) {
        AtomicInteger pending = rateRefused.get(connectionId);
        return pending != null && pending.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    /** True once if this connection's CONNECT was refused for its organization's cap. */
    public boolean takeCapRefusal(Object connectionId) {
        return capRefused.remove(connectionId);
    }

    public void refused(Refusal reason) {
        refusals.get(reason).increment();
    }

    public long refusals(Refusal reason) {
        return refusals.get(reason).sum();
    }

    /** Messages the broker took from devices since it started. */
    public long received() {
        return received.sum();
    }

    public int connected() {
        return byConnection.size();
    }

    /** Connected devices per organization (organizations with none are absent). */
    public synchronized Map<UUID, Integer> connectedByOrganization() {
        return Map.copyOf(perOrganization);
    }

    /** The connected devices, oldest connection first. */
    public List<ConnectedDevice> devices() {
        List<Device> all = new ArrayList<>(byConnection.values());
        all.sort(Comparator.comparing(Device::since).thenComparing(d -> d.identity().username()));
        return all.stream().map(d -> new ConnectedDevice(d.identity(), d.clientId(), d.remoteAddress(), d.since(), d.received())).toList();
    }
}
