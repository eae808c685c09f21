package io.mqttintegration.runtime.config;

import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.spi.config.Settings;
import java.nio.file.Path;
import java.util.List;

/**
 * The service's configuration, one validated record per PID (etc/mqtt.integration.*.cfg), read once
 * when the service starts: a value out of range stops the start with its key named, before anything
 * is built. Each record declares its keys with their defaults ({@link ConfigPid}); what etc/ or the
 * environment sets overrides them. The same values are the route files' property placeholders
 * ({@link Settings#asProperties}).
 */
public record ProductConfig(HttpConfig http, IngestConfig ingest, MqttConfig mqtt, QuotasConfig quotas, RoutesConfig routes,
        SecurityConfig security, SinksConfig sinks, PresenceConfig presence, ConsoleConfig console) {

    /** The PIDs the service reads (the hosted broker, its own bundle, reads {@code mqtt.integration.broker}). */
    public static final List<ConfigPid> PIDS = List.of(HttpConfig.PID, IngestConfig.PID, RoutesConfig.PID, SecurityConfig.PID,
            MqttConfig.PID, QuotasConfig.PID, SinksConfig.PID, PresenceConfig.PID);

    /** @param home the folder relative paths and {@code file:} secrets are resolved against (the Karaf base) */
    public static ProductConfig from(Settings s, Path home) {
        return new ProductConfig(HttpConfig.from(s, home), IngestConfig.from(s), MqttConfig.from(s), QuotasConfig.from(s),
                RoutesConfig.from(s, home), SecurityConfig.from(s, home), SinksConfig.from(s),
                PresenceConfig.from(s), ConsoleConfig.from(s));
    }
}
