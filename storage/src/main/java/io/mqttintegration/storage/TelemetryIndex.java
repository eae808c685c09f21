package io.mqttintegration.storage;

import io.mqttintegration.parsers.Reading;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this writer has already put into the device catalog and the per-month ts bounds (V13), so
 * that a batch writes to them only what is new: a device key never seen, a reading time outside its
 * receive month's bounds. In steady state a batch adds nothing and the writer sends no extra
 * statement. Learned only after the batch's commit ({@link #learn}): a rolled-back batch teaches
 * nothing. Forgetting costs one {@code ON CONFLICT} statement, never a wrong answer.
 */
public final class TelemetryIndex {

    /** The devices remembered before the set is cleared and learned again. */
    public static final int DEFAULT_MAX_DEVICES = 100_000;
    /** Months remembered before the map is cleared (receive months: normally one or two). */
    static final int MAX_MONTHS = 1_000;
    /** The latest time whose ISO text PostgreSQL reads like the readings' own (years of four digits). */
    private static final Instant LAST_ROUNDED = Instant.parse("9999-12-31T23:59:59.999999Z");

    /** One row of mqtt_device_catalog. */
    public record DeviceKey(UUID organizationId, UUID integrationId, String deviceId) {
    }

    /** The bounds of the reading times received in one UTC month (its first day). */
    public record MonthBounds(LocalDate month, Instant min, Instant max) {
        MonthBounds union(MonthBounds other) {
            return new MonthBounds(month, min.isBefore(other.min) ? min : other.min, max.isAfter(other.max) ? max : other.max);
        }

        boolean covers(Instant lo, Instant hi) {
            return !lo.isBefore(min) && !hi.isAfter(max);
        }
    }

    /** What one batch adds: new device keys (with the first receive time of each) and widened bounds. */
    public record Additions(Map<DeviceKey, Instant> devices, List<MonthBounds> bounds) {
        public boolean isEmpty() {
            return devices.isEmpty() && bounds.isEmpty();
        }
    }

    private final int maxDevices;
    private final Set<DeviceKey> devices = ConcurrentHashMap.newKeySet();
    private final Map<LocalDate, MonthBounds> months = new ConcurrentHashMap<>();

    public TelemetryIndex() {
        this(DEFAULT_MAX_DEVICES);
    }

    public TelemetryIndex(int maxDevices) {
        if (maxDevices < 1) {
            throw new IllegalArgumentException("maxDevices must be positive");
        }
        this.maxDevices = maxDevices;
    }

    /**
     * The catalog rows and bounds these messages need that this writer has not written yet. Only
     * messages of an organization and an integration enter the catalog (all the service stores); every
     * reading (a reading always has a time; a message without readings has none) widens its receive
     * month's bounds, rounded out to whole UTC days so that a writer widens a month about once a day.
     */
    public Additions additions(List<InboundMessage> messages) {
        Map<DeviceKey, Instant> newDevices = new LinkedHashMap<>();
        Map<LocalDate, Instant[]> seen = new TreeMap<>();
        for (InboundMessage m : messages) {
            LocalDate month = month(m.receivedAt());
            for (Reading r : m.readings()) {
                if (m.organizationId() != null && m.integrationId() != null) {
                    DeviceKey key = new DeviceKey(m.organizationId(), m.integrationId(), r.deviceId());
                    if (!devices.contains(key)) {
                        newDevices.merge(key, m.receivedAt(), (a, b) -> a.isBefore(b) ? a : b);
                    }
                }
                Instant ts = r.timestamp();
                Instant[] range = seen.computeIfAbsent(month, k -> new Instant[] {ts, ts});
                range[0] = ts.isBefore(range[0]) ? ts : range[0];
                range[1] = ts.isAfter(range[1]) ? ts : range[1];
            }
        }
        List<MonthBounds> widened = new ArrayList<>();
        for (Map.Entry<LocalDate, Instant[]> e : seen.entrySet()) {
            MonthBounds known = months.get(e.getKey());
            Instant lo = e.getValue()[0];
            Instant hi = e.getValue()[1];
            if (known == null || !known.covers(lo, hi)) {
                MonthBounds rounded = new MonthBounds(e.getKey(), floorDay(lo), ceilDay(hi));
                widened.add(known == null ? rounded : known.union(rounded));
            }
        }
        return new Additions(newDevices, widened);
    }

    /** Called after the commit that wrote these additions. */
    public void learn(Additions written) {
        if (!written.devices().isEmpty()) {
            if (devices.size() + written.devices().size() > maxDevices) {
                devices.clear();
            }
            devices.addAll(written.devices().keySet());
        }
        if (!written.bounds().isEmpty()) {
            if (months.size() >= MAX_MONTHS) {
                months.clear();
            }
            for (MonthBounds b : written.bounds()) {
                months.merge(b.month(), b, MonthBounds::union);
            }
        }
    }

    /** Device keys remembered now (metrics, tests). */
    public int knownDevices() {
        return devices.size();
    }

    static LocalDate month(Instant receivedAt) {
        return LocalDate.ofInstant(receivedAt, ZoneOffset.UTC).withDayOfMonth(1);
    }

    static Instant floorDay(Instant t) {
        return t.truncatedTo(ChronoUnit.DAYS);
    }

    /** The start of the next UTC day; a time past year 9999 stays as it is (the readings' own text form). */
    static Instant ceilDay(Instant t) {
        Instant next = t.truncatedTo(ChronoUnit.DAYS).plus(1, ChronoUnit.DAYS);
        return next.isAfter(LAST_ROUNDED) ? t : next;
    }
}
