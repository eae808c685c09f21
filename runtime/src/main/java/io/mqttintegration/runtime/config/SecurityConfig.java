package io.mqttintegration.runtime.config;

import io.mqttintegration.runtime.Settings;
import java.nio.file.Path;

/**
 * PID {@code mqtt.integration.security}, validated. The three secrets are given as references
 * ({@code env:NAME}, {@code file:PATH}) and read here; null means "generate one and keep it in
 * {@code dir}" (see docs/operations.md).
 */
public record SecurityConfig(Path dir, int keyCacheMillis, int authFailuresPerMinute, String masterKey,
        String keyHashSecret, String operatorKey) {

    public static SecurityConfig from(Settings s, Path home) {
        return new SecurityConfig(home.resolve(s.text("security.dir")).normalize(), s.integer("security.keyCacheMillis", 0, 1000),
                s.integer("security.authFailuresPerMinute", 1, 1_000_000),
                s.secret("security.masterKey", home), s.secret("security.keyHashSecret", home), s.secret("security.operatorKey", home));
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
