package io.mqttintegration.runtime.config;

import io.mqttintegration.runtime.Settings;
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

    public static HttpConfig from(Settings s, Path home) {
        String keyStore = s.optional("http.tls.keyStore");
        return new HttpConfig(s.text("http.host"), s.integer("http.port", 1, 65_535), s.integer("http.maxBodyBytes", 1, Integer.MAX_VALUE),
                s.integer("http.workerThreads", 1, 1024), s.integer("http.idleTimeoutSeconds", 1, 86_400),
                s.integer("http.requestTimeoutSeconds", 1, 86_400), s.integer("http.maxConnections", 1, 1_000_000),
                keyStore == null ? null : home.resolve(keyStore).normalize(),
                keyStore == null ? null : s.secret("http.tls.keyStorePassword", home), s.integer("http.exportsAtOnce", 1, 1024));
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
