package io.mqttintegration.parsers;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One device reading extracted from a payload.
 *
 * @param deviceId  the device the reading belongs to; never blank
 * @param timestamp when the reading was taken (from the payload, else the receive time)
 * @param metrics   metric name to value: {@link Number}, {@link Boolean} or {@link String}
 */
public record Reading(String deviceId, Instant timestamp, Map<String, Object> metrics) {

    public Reading {
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(timestamp, "timestamp");
        metrics = Map.copyOf(metrics);
    }
}
