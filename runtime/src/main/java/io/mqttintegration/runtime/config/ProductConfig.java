package io.mqttintegration.runtime.config;

import io.mqttintegration.runtime.Settings;
import java.nio.file.Path;

/**
 * The service's configuration, one validated record per PID (etc/mqtt.integration.*.cfg), read once
 * when the service starts: a value out of range stops the start with its key named, before anything
 * is built. The same keys stay the route files' property placeholders ({@link Settings#asProperties}).
 */
public record ProductConfig(HttpConfig http, IngestConfig ingest, MqttConfig mqtt, QuotasConfig quotas, RoutesConfig routes,
        SecurityConfig security) {

    /** @param home the folder relative paths and {@code file:} secrets are resolved against (the Karaf base) */
    public static ProductConfig from(Settings s, Path home) {
        return new ProductConfig(HttpConfig.from(s, home), IngestConfig.from(s), MqttConfig.from(s), QuotasConfig.from(s),
                RoutesConfig.from(s, home), SecurityConfig.from(s, home));
    }
}
