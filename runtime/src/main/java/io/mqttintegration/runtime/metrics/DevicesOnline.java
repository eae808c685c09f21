package io.mqttintegration.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.storage.presence.DeviceStore;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mqi_devices_online{organization}}: devices online per organization, read from device_presence
 * every {@link #REFRESH} on a thread of its own (a scrape never queries the database). device_presence
 * is the cluster's, so every node shows the same value: aggregate the nodes with max, not sum. An
 * organization is there once presence knows one of its devices, at 0 when none is online, and goes
 * with the organization. A refresh that fails (database down) keeps the last values and is logged.
 */
public final class DevicesOnline implements AutoCloseable {

    /** How often the counts are read: one grouped index scan of device_presence. */
    public static final Duration REFRESH = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(DevicesOnline.class);

    private final MeterRegistry registry;
    private final DeviceStore store;
    private final Map<UUID, AtomicLong> online = new ConcurrentHashMap<>();
    private final Map<UUID, Gauge> gauges = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mqi-devices-online");
        t.setDaemon(true);
        return t;
    });

    public DevicesOnline(MeterRegistry registry, DeviceStore store) {
        this.registry = registry;
        this.store = store;
    }

    /** Reads the counts now, then every {@code every}. */
    public DevicesOnline start(Duration every) {
        refresher.scheduleWithFixedDelay(this::refreshQuietly, 0, every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Reads the counts once: a gauge per organization presence knows, removed for one it no longer does. */
    void refresh() {
        Map<UUID, Long> counts = store.onlineByOrganization();
        counts.forEach((org, n) -> online.computeIfAbsent(org, this::register).set(n));
        for (UUID org : online.keySet()) {
            if (!counts.containsKey(org)) {
                online.remove(org);
                Gauge gone = gauges.remove(org);
                if (gone != null) {
                    registry.remove(gone);
                }
            }
        }
    }

    private AtomicLong register(UUID org) {
        AtomicLong value = new AtomicLong();
        gauges.put(org, Gauge.builder("mqi.devices.online", value, AtomicLong::get)
                .description("Devices online per organization, cluster-wide (device_presence): every node shows the same value, "
                        + "aggregate with max, not sum.")
                .tag("organization", org.toString()).register(registry));
        return value;
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("Devices online not refreshed (the last values stay): {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        gauges.values().forEach(registry::remove);
        gauges.clear();
        online.clear();
    }
}
