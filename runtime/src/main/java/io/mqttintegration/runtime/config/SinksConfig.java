package io.mqttintegration.runtime.config;

import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.spi.config.Settings;

/**
 * PID {@code mqtt.integration.sinks}, validated: how this node delivers the sinks' outboxes
 * (docs/sinks.md).
 *
 * @param enabled          false: this node delivers no sink (the outboxes still fill; another node delivers)
 * @param pollMillis       how long a sink with nothing due waits before it looks again
 * @param leaseSeconds     a node holds a sink this long, renewed while it runs; a node that died lets go after it
 * @param perNode          sinks one node delivers at most
 * @param pageSize         messages a sink reads from its outbox at a time
 * @param concurrency      deliveries of one sink in flight at once (one device's messages go one after another)
 * @param backlogLimit     messages a sink's outbox holds at most; the oldest beyond it become dead letters
 * @param retryBaseMillis  the first retry's delay; each next one doubles, with jitter
 * @param retryMaxSeconds  the longest delay between two attempts
 * @param timeoutMillis    how long one delivery may take before it counts as failed
 */
public record SinksConfig(boolean enabled, int pollMillis, int leaseSeconds, int perNode, int pageSize, int concurrency,
        long backlogLimit, int retryBaseMillis, int retryMaxSeconds, int timeoutMillis) {

    public static final String PID_NAME = "mqtt.integration.sinks";
    public static final ConfigPid PID = new ConfigPid(PID_NAME,
            "mqtt-integration: forwarding what each integration stores to webhooks, MQTT brokers and Kafka (sinks)");
    static final ConfigKey ENABLED = PID.flag("sinks.enabled", true,
            "false: this node delivers no sink (the outboxes still fill, other nodes deliver)", "MQI_SINKS_ENABLED");
    static final ConfigKey POLL_MILLIS = PID.integer("sinks.pollMillis", 200, 10, 60_000,
            "how long a sink with nothing due waits before it looks again (ms)");
    static final ConfigKey LEASE_SECONDS = PID.integer("sinks.leaseSeconds", 30, 5, 3_600,
            "a node holds a sink this long, renewed while it runs; a node that died lets go after it (s)");
    static final ConfigKey PER_NODE = PID.integer("sinks.perNode", 1_000, 1, 100_000, "sinks one node delivers at most");
    static final ConfigKey PAGE_SIZE = PID.integer("sinks.pageSize", 500, 1, 10_000, "messages a sink reads from its outbox at a time");
    static final ConfigKey CONCURRENCY = PID.integer("sinks.concurrency", 16, 1, 1_000,
            "deliveries of one sink in flight at once; one device's messages go one after another");
    static final ConfigKey BACKLOG_LIMIT = PID.integer("sinks.backlogLimit", 1_000_000, 1, Integer.MAX_VALUE,
            "messages one sink's outbox holds at most; the oldest beyond it become the sink's dead letters");
    static final ConfigKey RETRY_BASE_MILLIS = PID.integer("sinks.retryBaseMillis", 1_000, 10, 600_000,
            "the first retry's delay (ms); each next one doubles, with jitter");
    static final ConfigKey RETRY_MAX_SECONDS = PID.integer("sinks.retryMaxSeconds", 300, 1, 86_400,
            "the longest delay between two attempts (s)");
    static final ConfigKey TIMEOUT_MILLIS = PID.integer("sinks.timeoutMillis", 10_000, 100, 600_000,
            "how long one delivery may take before it counts as failed (ms)");

    public static SinksConfig from(Settings s) {
        return new SinksConfig(s.flag(ENABLED), s.integer(POLL_MILLIS), s.integer(LEASE_SECONDS), s.integer(PER_NODE), s.integer(PAGE_SIZE),
                s.integer(CONCURRENCY), s.integer(BACKLOG_LIMIT), s.integer(RETRY_BASE_MILLIS), s.integer(RETRY_MAX_SECONDS),
                s.integer(TIMEOUT_MILLIS));
    }
}
