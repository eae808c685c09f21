package io.mqttintegration.runtime.config;

import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.spi.config.Settings;
import java.nio.file.Path;

/**
 * PID {@code mqtt.integration.http}, validated: where the HTTP API listens and how it bounds its
 * requests and connections.
 *
 * @param keyStore         the TLS key store (resolved against the Karaf base), or null for plain HTTP
 * @param keyStorePassword its password (a secret: {@code env:} or {@code file:} reference), or null
 * @param exportsAtOnce    telemetry exports that may run at once (each holds a database connection)
 */
public record HttpConfig(String host, int port, int maxBodyBytes, int workerThreads, int idleTimeoutSeconds,
        int requestTimeoutSeconds, int maxConnections, Path keyStore, String keyStorePassword, int exportsAtOnce) {

    public static final String PID_NAME = "mqtt.integration.http";
    public static final ConfigPid PID = new ConfigPid(PID_NAME, "mqtt-integration: the HTTP API server");
    static final ConfigKey HOST = PID.text("http.host", "0.0.0.0", "address the API listens on", "MQI_HTTP_HOST");
    static final ConfigKey PORT = PID.integer("http.port", 8080, 1, 65_535, "port the API listens on", "MQI_HTTP_PORT");
    static final ConfigKey MAX_BODY_BYTES = PID.integer("http.maxBodyBytes", 262_144, 1, Integer.MAX_VALUE,
            "largest request body accepted, in bytes (413 above)", "MQI_HTTP_MAX_BODY_BYTES");
    static final ConfigKey WORKER_THREADS = PID.integer("http.workerThreads", 64, 1, 1024,
            "worker threads that run the route steps", "MQI_HTTP_WORKER_THREADS");
    static final ConfigKey KEY_STORE = PID.optional("http.tls.keyStore",
            "PKCS12 or JKS key store for HTTPS, relative to the Karaf base; empty: plain HTTP", "MQI_HTTP_TLS_KEYSTORE");
    static final ConfigKey KEY_STORE_PASSWORD = PID.secret("http.tls.keyStorePassword", "env:MQI_HTTP_TLS_KEYSTORE_PASSWORD",
            "where the key store's password is (env:NAME or file:PATH)");
    static final ConfigKey IDLE_TIMEOUT_SECONDS = PID.integer("http.idleTimeoutSeconds", 30, 1, 86_400,
            "a connection with no byte in either direction for this long is closed (s)", "MQI_HTTP_IDLE_TIMEOUT_SECONDS");
    static final ConfigKey REQUEST_TIMEOUT_SECONDS = PID.integer("http.requestTimeoutSeconds", 30, 1, 86_400,
            "a request must arrive whole within this time (s), else its connection is closed", "MQI_HTTP_REQUEST_TIMEOUT_SECONDS");
    static final ConfigKey MAX_CONNECTIONS = PID.integer("http.maxConnections", 1000, 1, 1_000_000,
            "open connections at most", "MQI_HTTP_MAX_CONNECTIONS");
    static final ConfigKey EXPORTS_AT_ONCE = PID.integer("http.exportsAtOnce", 2, 1, 1024,
            "telemetry exports running at once (each holds a database connection)", "MQI_HTTP_EXPORTS_AT_ONCE");

    // The web console (issue 31) is served by this server, so its keys live in this PID.
    static final ConfigKey CONSOLE_ENABLED = PID.flag("console.enabled", true,
            "serve the web console at /console/, Swagger UI at /api/docs and console sessions", "MQI_CONSOLE_ENABLED");
    static final ConfigKey CONSOLE_SESSION_MINUTES = PID.integer("console.sessionMinutes", 60, 1, 10_080,
            "how long a console session lasts after sign-in (min)", "MQI_CONSOLE_SESSION_MINUTES");
    static final ConfigKey CONSOLE_LIVE_EVENTS_PER_SECOND = PID.integer("console.liveEventsPerSecond", 20, 1, 10_000,
            "events at most per second on one live message stream; the excess is counted and announced", "MQI_CONSOLE_LIVE_EVENTS_PER_SECOND");
    static final ConfigKey CONSOLE_LIVE_STREAMS = PID.integer("console.liveStreams", 16, 1, 10_000,
            "live message streams open at once on this node; another is answered 503 streams_busy", "MQI_CONSOLE_LIVE_STREAMS");

    public static HttpConfig from(Settings s, Path home) {
        String keyStore = s.optional(KEY_STORE);
        return new HttpConfig(s.text(HOST), s.integer(PORT), s.integer(MAX_BODY_BYTES), s.integer(WORKER_THREADS),
                s.integer(IDLE_TIMEOUT_SECONDS), s.integer(REQUEST_TIMEOUT_SECONDS), s.integer(MAX_CONNECTIONS),
                keyStore == null ? null : home.resolve(keyStore).normalize(),
                keyStore == null ? null : s.secret(KEY_STORE_PASSWORD, home), s.integer(EXPORTS_AT_ONCE));
    }

    /** The key store's password masked. */
    @Override
    public String toString() {
        return "HttpConfig[host=" + host + ", port=" + port + ", maxBodyBytes=" + maxBodyBytes + ", workerThreads=" + workerThreads
                + ", idleTimeoutSeconds=" + idleTimeoutSeconds + ", requestTimeoutSeconds=" + requestTimeoutSeconds
                + ", maxConnections=" + maxConnections + ", keyStore=" + keyStore + ", keyStorePassword="
                + (keyStorePassword == null ? null : "********") + ", exportsAtOnce=" + exportsAtOnce + "]";
    }
}
