package io.mqttintegration.runtime.config;

import io.mqttintegration.runtime.Settings;
import java.nio.file.Path;

/** PID {@code mqtt.integration.routes}, validated: the route and parser folders and their live reload. */
public record RoutesConfig(Path routesDir, Path parsersDir, boolean reloadEnabled, int reloadIntervalMs) {

    public static RoutesConfig from(Settings s, Path home) {
        return new RoutesConfig(home.resolve(s.text("routes.dir")).normalize(), home.resolve(s.text("parsers.dir")).normalize(),
                s.flag("routes.reload.enabled"), s.integer("routes.reload.intervalMs", 50, 60_000));
    }
}
