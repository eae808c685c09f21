package io.mqttintegration.runtime.config;

import io.mqttintegration.runtime.Settings;

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

    public static QuotasConfig from(Settings s) {
        return new QuotasConfig(s.integer("quotas.integrations", 0, MAX_DEFAULT_INTEGRATIONS), s.integer("quotas.subscriptions", 0, 1_000_000),
                s.integer("quotas.credentials", 0, 1_000_000), s.integer("quotas.publishPerSecond", 0, 1_000_000),
                s.integer("quotas.connectedDevices", 0, 1_000_000), s.integer("quotas.deviceMessagesPerSecond", 0, 1_000_000),
                s.integer("quotas.deviceBurstSeconds", 1, 3_600));
    }
}
