package io.mqttintegration.runtime.config;

import io.mqttintegration.spi.config.Settings;

/**
 * The web console's keys, in PID {@code mqtt.integration.http} (the server that serves it).
 *
 * @param enabled              whether /console/, /api/docs and /api/v1/session answer (404 otherwise)
 * @param sessionMinutes       a session's life from sign-in (the cookie's Max-Age)
 * @param liveEventsPerSecond  events at most per second on one live stream
 */
public record ConsoleConfig(boolean enabled, int sessionMinutes, int liveEventsPerSecond) {

    public static ConsoleConfig from(Settings s) {
        return new ConsoleConfig(s.flag(HttpConfig.CONSOLE_ENABLED), s.integer(HttpConfig.CONSOLE_SESSION_MINUTES),
                s.integer(HttpConfig.CONSOLE_LIVE_EVENTS_PER_SECOND));
    }
}
