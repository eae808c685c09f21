package io.mqttintegration.broker;

import io.mqttintegration.spi.broker.ConnectedDevice;
import io.mqttintegration.spi.broker.DeviceIdentity;
import io.mqttintegration.spi.broker.DeviceLimits;
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
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The devices connected to this node's hosted broker, each with its token bucket, and the limits of
 * their organizations ({@code quotas.connectedDevices}, {@code quotas.deviceMessagesPerSecond}):
 * {@link #admit} refuses a device whose organization has as many connected as its cap allows (the
 * count and the admission happen under one lock, so two CONNECTs cannot both take the last slot), and
 * {@link #tryPublish} takes a token of the device's bucket. Refusals are counted by reason. Free of
 * Artemis: {@link DeviceGuard} and {@link DeviceLimitsPlugin} apply it to the broker.
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

        Device(DeviceIdentity identity, String clientId, String remoteAddress, Instant since, TokenBucket bucket) {
            this.identity = identity;
            this.clientId = clientId;
            this.remoteAddress = remoteAddress;
            this.since = since;
            this.bucket = bucket;
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
        this.limits = limits;
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
        synchronized (this) {
            int connected = perOrganization.getOrDefault(device.organizationId(), 0);
            // A device reconnecting with its own client id takes its old connection over (Artemis closes
            // that one, which then frees its slot): not refused because its old connection still counts.
            if (connected >= l.connectedDevices() && !takesOver(device, clientId)) {
                refused(Refusal.DEVICE_CAP);
                capRefused.add(connectionId);
                return false;
            }
            perOrganization.put(device.organizationId(), connected + 1);
            byConnection.put(connectionId, new Device(device, clientId, remoteAddress, clock.instant(),
                    new TokenBucket(l.messagesPerSecond(), TokenBucket.capacity(l.messagesPerSecond(), burstSeconds), nanoTime)));
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

    /** The connection is gone: its device no longer counts against its organization's cap. */
    public void release(Object connectionId) {
        capRefused.remove(connectionId);
        rateRefused.remove(connectionId);
        Device gone = byConnection.remove(connectionId);
        if (gone != null) {
            synchronized (this) {
                perOrganization.computeIfPresent(gone.identity().organizationId(), (org, n) -> n <= 1 ? null : n - 1);
            }
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
