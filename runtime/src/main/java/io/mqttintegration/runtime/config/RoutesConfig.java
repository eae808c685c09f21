package io.mqttintegration.runtime.config;

import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.spi.config.Settings;
import java.nio.file.Path;

/** PID {@code mqtt.integration.routes}, validated: the route and parser folders and their live reload. */
public record RoutesConfig(Path routesDir, Path parsersDir, boolean reloadEnabled, int reloadIntervalMs) {

    public static final String PID_NAME = "mqtt.integration.routes";
    public static final ConfigPid PID = new ConfigPid(PID_NAME,
            "mqtt-integration: the route and parser files' folders and their live reload");
    static final ConfigKey ROUTES_DIR = PID.text("routes.dir", "routes",
            "folder of *.camel.yaml and *.xml route files, relative to the Karaf base", "MQI_ROUTES_DIR");
    static final ConfigKey RELOAD_ENABLED = PID.flag("routes.reload.enabled", true,
            "watch the folders and reload a file when it changes");
    static final ConfigKey RELOAD_INTERVAL_MS = PID.integer("routes.reload.intervalMs", 500, 50, 60_000,
            "how often the folders are scanned (ms); a file is loaded once unchanged for one scan");
    static final ConfigKey PARSERS_DIR = PID.text("parsers.dir", "parsers",
            "folder of *.parser.yaml files, relative to the Karaf base", "MQI_PARSERS_DIR");

    public static RoutesConfig from(Settings s, Path home) {
        return new RoutesConfig(home.resolve(s.text(ROUTES_DIR)).normalize(), home.resolve(s.text(PARSERS_DIR)).normalize(),
                s.flag(RELOAD_ENABLED), s.integer(RELOAD_INTERVAL_MS));
    }
}
