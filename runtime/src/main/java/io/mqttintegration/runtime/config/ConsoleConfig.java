package io.mqttintegration.runtime.config;

import io.mqttintegration.spi.config.Settings;

/**
 * The web console's keys, in PID {@code mqtt.integration.http} (the server that serves it).
 *
 * @param enabled              whether /console/, /api/docs and /api/v1/session answer (404 otherwise)
 * @param sessionMinutes       a session's life from sign-in (the cookie's Max-Age)
 * @param liveEventsPerSecond  events at most per second on one live stream
 * @param liveStreams          live streams open at once on this node (each is a chunked answer
 *                             written from the event loop, holding no worker thread)
 */
public record ConsoleConfig(boolean enabled, int sessionMinutes, int liveEventsPerSecond, int liveStreams) {

    public static ConsoleConfig from(Settings s) {
        return new ConsoleConfig(s.flag(HttpConfig.CONSOLE_ENABLED), s.integer(HttpConfig.CONSOLE_SESSION_MINUTES),
                s.integer(HttpConfig.CONSOLE_LIVE_EVENTS_PER_SECOND), s.integer(HttpConfig.CONSOLE_LIVE_STREAMS));
    }
}
