package io.mqttintegration.runtime.config;

import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.spi.config.Settings;

/**
 * PID {@code mqtt.integration.mqtt}, validated: which brokers may be reached, connection tests, and
 * how subscriptions retry and spread across nodes. {@code connectTimeoutSeconds} and
 * {@code receiveMaximum} are read by routes/mqtt-subscription.camel.yaml; they are checked here so an
 * out-of-range value stops the start with the key named.
 *
 * @param allowedTargets the allow-list as written (host names, addresses, CIDRs), or null
 * @param nodeId         this node's id as configured, or null (then generated and kept)
 * @param receiveMaximum unacknowledged QoS 1 messages one subscription has in flight at most
 */
public record MqttConfig(boolean allowPrivateTargets, String allowedTargets, int connectTimeoutSeconds, int testTimeoutSeconds,
        int testsPerMinute, int connackTimeoutSeconds, int maxRetrySeconds, int maxReconnectDelayMs, int maxRedeliverySeconds,
        int syncSeconds, String nodeId, int receiveMaximum) {

    public static final String PID_NAME = "mqtt.integration.mqtt";
    public static final ConfigPid PID = new ConfigPid(PID_NAME, "mqtt-integration: connections to the organizations' MQTT brokers");
    static final ConfigKey ALLOW_PRIVATE_TARGETS = PID.flag("mqtt.allowPrivateTargets", false,
            "allow every tenant's brokers on loopback and private addresses (a development machine only)",
            "MQI_ALLOW_PRIVATE_TARGETS");
    static final ConfigKey ALLOWED_TARGETS = PID.optional("mqtt.allowedTargets",
            "host:port entries, separated by commas, of your own brokers that tenants may use; empty: none", "MQI_ALLOWED_TARGETS");
    static final ConfigKey CONNECT_TIMEOUT_SECONDS = PID.integer("mqtt.connectTimeoutSeconds", 10, 1, 120,
            "how long connecting to a broker may take (s)");
    static final ConfigKey TEST_TIMEOUT_SECONDS = PID.integer("mqtt.testTimeoutSeconds", 10, 1, 120,
            "a connection test gives up after this long (s)");
    static final ConfigKey TESTS_PER_MINUTE = PID.integer("mqtt.testsPerMinute", 10, 1, 10_000,
            "connection tests an organization may run per minute (429 beyond)");
    static final ConfigKey RECEIVE_MAXIMUM = PID.integer("mqtt.subscription.receiveMaximum", 1000, 1, 65_535,
            "unacknowledged QoS 1 messages one subscription has in flight at most (MQTT 5 Receive Maximum)");
    static final ConfigKey MAX_RECONNECT_DELAY_MS = PID.integer("mqtt.subscription.maxReconnectDelayMs", 10_000, 1000, 3_600_000,
            "bound of the jittered backoff after a subscription lost its connection (ms)");
    static final ConfigKey CONNACK_TIMEOUT_SECONDS = PID.integer("mqtt.subscription.connackTimeoutSeconds", 60, 1, 600,
            "a subscription's connection attempt without a CONNACK after this long is abandoned and retried (s)");
    static final ConfigKey MAX_RETRY_SECONDS = PID.integer("mqtt.subscription.maxRetrySeconds", 30, 1, 3600,
            "bound of the jittered backoff of a subscription that could not connect (s)");
    static final ConfigKey MAX_REDELIVERY_SECONDS = PID.integer("mqtt.subscription.maxRedeliverySeconds", 8, 1, 3600,
            "bound of the backoff of reconnects that get unstored messages redelivered (s)");
    static final ConfigKey NODE_ID = PID.optional("mqtt.nodeId",
            "this node's id (1 to 10 of A-Za-z0-9_-), unique per node; empty: generated once into <security.dir>/node.id",
            "MQI_NODE_ID");
    static final ConfigKey SYNC_SECONDS = PID.integer("mqtt.subscription.syncSeconds", 5, 0, 3600,
            "how often the node reconciles its subscriptions with the database (s); 0: only at start");

    public static MqttConfig from(Settings s) {
        return new MqttConfig(s.flag(ALLOW_PRIVATE_TARGETS), s.optional(ALLOWED_TARGETS), s.integer(CONNECT_TIMEOUT_SECONDS),
                s.integer(TEST_TIMEOUT_SECONDS), s.integer(TESTS_PER_MINUTE), s.integer(CONNACK_TIMEOUT_SECONDS),
                s.integer(MAX_RETRY_SECONDS), s.integer(MAX_RECONNECT_DELAY_MS), s.integer(MAX_REDELIVERY_SECONDS),
                s.integer(SYNC_SECONDS), s.optional(NODE_ID), s.integer(RECEIVE_MAXIMUM));
    }
}
