package io.mqttintegration.runtime.config;

import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.spi.config.Settings;

/**
 * PID {@code mqtt.integration.presence}, validated: device presence (docs/devices.md), who is online,
 * since when, last seen.
 *
 * @param enabled            false: none of it runs (no heartbeat, no last seen, no connection events, no sweep)
 * @param flushMillis        how often last seen and the hosted connections are written (one statement each)
 * @param sweepSeconds       how often the node beats, takes idle devices and those of lost nodes offline,
 *                           trims the history and counts the devices connected to the other nodes
 * @param nodeTimeoutSeconds a node whose heartbeat is older is lost: its hosted devices go offline
 * @param historyPerDevice   transitions kept per device (the newest)
 * @param pendingDevices     devices whose last seen waits in memory for the next flush, at most; as
 *                           many hosted connection events
 */
public record PresenceConfig(boolean enabled, int flushMillis, int sweepSeconds, int nodeTimeoutSeconds, int historyPerDevice,
        int pendingDevices) {

    public static final String PID_NAME = "mqtt.integration.presence";
    public static final ConfigPid PID = new ConfigPid(PID_NAME,
            "mqtt-integration: device presence (who is online, since when, last seen; docs/devices.md)");
    static final ConfigKey ENABLED = PID.flag("presence.enabled", true,
            "false: no presence at all (no heartbeat, last seen, connection events or sweep)", "MQI_PRESENCE_ENABLED");
    static final ConfigKey FLUSH_MILLIS = PID.integer("presence.flushMillis", 1_000, 50, 60_000,
            "how often last seen and the hosted connection events are written (ms); a crash loses at most this much of last seen");
    static final ConfigKey SWEEP_SECONDS = PID.integer("presence.sweepSeconds", 5, 1, 3_600,
            "how often the node beats its heartbeat, takes idle devices and those of lost nodes offline and trims the history (s)");
    static final ConfigKey NODE_TIMEOUT_SECONDS = PID.integer("presence.nodeTimeoutSeconds", 30, 2, 86_400,
            "a node whose heartbeat is older than this is lost: its hosted devices go offline, reason node_lost (s)");
    static final ConfigKey HISTORY_PER_DEVICE = PID.integer("presence.historyPerDevice", 100, 1, 100_000,
            "transitions kept per device, the newest (trimmed by the sweep)");
    static final ConfigKey PENDING_DEVICES = PID.integer("presence.pendingDevices", 100_000, 100, 10_000_000,
            "devices whose last seen waits in memory for the next flush, at most (and as many connection events)");

    public static PresenceConfig from(Settings s) {
        PresenceConfig c = new PresenceConfig(s.flag(ENABLED), s.integer(FLUSH_MILLIS), s.integer(SWEEP_SECONDS),
                s.integer(NODE_TIMEOUT_SECONDS), s.integer(HISTORY_PER_DEVICE), s.integer(PENDING_DEVICES));
        if (c.nodeTimeoutSeconds() <= c.sweepSeconds()) {
            throw new IllegalArgumentException("presence.nodeTimeoutSeconds (" + c.nodeTimeoutSeconds()
                    + ") must be longer than presence.sweepSeconds (" + c.sweepSeconds() + "), the heartbeat's interval");
        }
        return c;
    }
}
