package io.mqttintegration.parsers;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One device reading extracted from a payload.
 *
 * @param deviceId  the device the reading belongs to; never blank
 * @param timestamp when the reading was taken (from the payload, else the receive time)
 * @param metrics   metric name to value: {@link Number}, {@link Boolean} or {@link String}
 * @param units     metric name to unit, for the metrics whose payload named one (SenML)
 */
public record Reading(String deviceId, Instant timestamp, Map<String, Object> metrics, Map<String, String> units) {

    public Reading {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(timestamp, "timestamp");
        metrics = Map.copyOf(metrics);
        units = Map.copyOf(units);
    }

    public Reading(String deviceId, Instant timestamp, Map<String, Object> metrics) {
        this(deviceId, timestamp, metrics, Map.of());
    }

    /** Gathers the metrics of one device at one time. */
    static final class Builder {
        private final String deviceId;
        private final Instant timestamp;
        private final Map<String, Object> metrics = new LinkedHashMap<>();
        private final Map<String, String> units = new LinkedHashMap<>();

        Builder(String deviceId, Instant timestamp) {
            this.deviceId = deviceId;
            this.timestamp = timestamp;
        }

        Builder metric(String name, Object value, String unit) {
            metrics.put(name, value);
            if (unit != null) {
                units.put(name, unit);
            }
            return this;
        }

        Reading build() {
            return new Reading(deviceId, timestamp, metrics, units);
        }
    }
}
