package io.mqttintegration.runtime.config;

import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.spi.config.Settings;
import java.nio.file.Path;

/**
 * PID {@code mqtt.integration.security}, validated. The three secrets are given as references
 * ({@code env:NAME}, {@code file:PATH}) and read here; null means "generate one and keep it in
 * {@code dir}" (see docs/operations.md).
 */
public record SecurityConfig(Path dir, int keyCacheMillis, int authFailuresPerMinute, String masterKey,
        String keyHashSecret, String operatorKey) {

    public static final String PID_NAME = "mqtt.integration.security";
    public static final ConfigPid PID = new ConfigPid(PID_NAME, "mqtt-integration: keys and secrets (references, never values)");
    static final ConfigKey OPERATOR_KEY = PID.secret("security.operatorKey", "env:MQI_OPERATOR_KEY",
            "where the operator key is; unset: generated once into <security.dir>/operator.key");
    static final ConfigKey MASTER_KEY = PID.secret("security.masterKey", "env:MQI_MASTER_KEY",
            "where the AES-256 master key is; unset: generated once into <security.dir>/secrets/master.key");
    static final ConfigKey KEY_HASH_SECRET = PID.secret("security.keyHashSecret", "env:MQI_KEY_HASH_SECRET",
            "where the key-hash secret is; unset: generated once into <security.dir>/secrets/hash.key");
    static final ConfigKey DIR = PID.text("security.dir", "data",
            "folder of the generated secrets, relative to the Karaf base", "MQI_SECURITY_DIR");
    static final ConfigKey AUTH_FAILURES_PER_MINUTE = PID.integer("security.authFailuresPerMinute", 30, 1, 1_000_000,
            "requests with a missing or wrong API key allowed per client address per minute (429 beyond)");
    static final ConfigKey KEY_CACHE_MILLIS = PID.integer("security.keyCacheMillis", 1000, 0, 1000,
            "how long a node keeps an API key's row instead of reading it on every request (ms)");

    public static SecurityConfig from(Settings s, Path home) {
        return new SecurityConfig(home.resolve(s.text(DIR)).normalize(), s.integer(KEY_CACHE_MILLIS), s.integer(AUTH_FAILURES_PER_MINUTE),
                s.secret(MASTER_KEY, home), s.secret(KEY_HASH_SECRET, home), s.secret(OPERATOR_KEY, home));
    }

    /** The secrets masked. */
    @Override
    public String toString() {
        return "SecurityConfig[dir=" + dir + ", keyCacheMillis=" + keyCacheMillis + ", authFailuresPerMinute=" + authFailuresPerMinute
                + ", masterKey=" + mask(masterKey) + ", keyHashSecret="
                + mask(keyHashSecret) + ", operatorKey=" + mask(operatorKey) + "]";
    }

    private static String mask(String secret) {
        return secret == null ? null : "********";
    }
}
