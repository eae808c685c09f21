package io.mqttintegration.runtime.config;

import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.spi.config.Settings;

/**
 * PID {@code mqtt.integration.quotas}, validated: the per-organization defaults (0: none allowed).
 *
 * @param connectedDevices        devices of one organization connected to the hosted broker at once
 * @param deviceMessagesPerSecond messages per second one connected device may publish to the hosted broker
 * @param deviceBurstSeconds      how many seconds' worth of its rate a device may send at once after a pause
 *                                (its token bucket holds {@code deviceMessagesPerSecond × deviceBurstSeconds}, at least 1)
 */
public record QuotasConfig(int integrations, int subscriptions, int credentials, int publishPerSecond, int connectedDevices,
        int deviceMessagesPerSecond, int deviceBurstSeconds) {

    /**
     * The integration quota's default may not exceed this (issue 13: one key created 300 in 0.6 s); the
     * operator raises it per organization.
     */
    public static final int MAX_DEFAULT_INTEGRATIONS = 250;

    public static final String PID_NAME = "mqtt.integration.quotas";
    public static final ConfigPid PID = new ConfigPid(PID_NAME,
            "mqtt-integration: every organization's quotas, unless the operator sets its own (0 allows none)");
    static final ConfigKey INTEGRATIONS = PID.integer("quotas.integrations", 250, 0, MAX_DEFAULT_INTEGRATIONS,
            "integrations an organization may have");
    static final ConfigKey SUBSCRIPTIONS = PID.integer("quotas.subscriptions", 50, 0, 1_000_000,
            "live subscriptions an organization may have");
    static final ConfigKey CREDENTIALS = PID.integer("quotas.credentials", 1000, 0, 1_000_000,
            "device credentials not revoked, per organization");
    static final ConfigKey PUBLISH_PER_SECOND = PID.integer("quotas.publishPerSecond", 20, 0, 1_000_000,
            "messages per second one integration may publish, counted per node");
    static final ConfigKey CONNECTED_DEVICES = PID.integer("quotas.connectedDevices", 10_000, 0, 1_000_000,
            "devices of one organization connected to the hosted broker at once, per node");
    static final ConfigKey DEVICE_MESSAGES_PER_SECOND = PID.integer("quotas.deviceMessagesPerSecond", 100, 0, 1_000_000,
            "messages per second one device connected to the hosted broker may publish");
    static final ConfigKey DEVICE_BURST_SECONDS = PID.integer("quotas.deviceBurstSeconds", 2, 1, 3_600,
            "seconds of its rate a device may send at once after a pause");

    public static QuotasConfig from(Settings s) {
        return new QuotasConfig(s.integer(INTEGRATIONS), s.integer(SUBSCRIPTIONS), s.integer(CREDENTIALS), s.integer(PUBLISH_PER_SECOND),
                s.integer(CONNECTED_DEVICES), s.integer(DEVICE_MESSAGES_PER_SECOND), s.integer(DEVICE_BURST_SECONDS));
    }
}
