package io.mqttintegration.runtime.config;

import io.mqttintegration.runtime.Settings;

/**
 * PID {@code mqtt.integration.mqtt}, validated: which brokers may be reached, connection tests, and
 * how subscriptions retry and spread across nodes.
 *
 * @param allowedTargets the allow-list as written (host names, addresses, CIDRs), or null
 * @param nodeId         this node's id as configured, or null (then generated and kept)
 */
public record MqttConfig(boolean allowPrivateTargets, String allowedTargets, int connectTimeoutSeconds, int testTimeoutSeconds,
        int testsPerMinute, int connackTimeoutSeconds, int maxRetrySeconds, int maxReconnectDelayMs, int maxRedeliverySeconds,
        int syncSeconds, String nodeId) {

    public static MqttConfig from(Settings s) {
        return new MqttConfig(s.flag("mqtt.allowPrivateTargets"), s.optional("mqtt.allowedTargets"),
                s.integer("mqtt.connectTimeoutSeconds", 1, 120), s.integer("mqtt.testTimeoutSeconds", 1, 120),
                s.integer("mqtt.testsPerMinute", 1, 10_000), s.integer("mqtt.subscription.connackTimeoutSeconds", 1, 600),
                s.integer("mqtt.subscription.maxRetrySeconds", 1, 3600),
                s.integer("mqtt.subscription.maxReconnectDelayMs", 1000, 3_600_000),
                s.integer("mqtt.subscription.maxRedeliverySeconds", 1, 3600), s.integer("mqtt.subscription.syncSeconds", 0, 3600),
                s.optional("mqtt.nodeId"));
    }
}
