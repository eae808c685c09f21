package io.mqttintegration.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator key (like a service-role key): it may do everything. It comes from configuration
 * ({@code MQI_OPERATOR_KEY}); when none is configured, the first start generates one, writes it once
 * to {@code operator.key} (mode 600) and to the log, and keeps only its keyed hash afterwards.
 */
public final class OperatorKey {

    private static final Logger LOG = LoggerFactory.getLogger(OperatorKey.class);
    static final int MIN_LENGTH = 32;

    private final ApiKeys keys;
    private final byte[] hash;

    private OperatorKey(ApiKeys keys, byte[] hash) {
        this.keys = keys;
        this.hash = hash;
    }

    /**
     * @param configured the configured key, or null/blank
     * @param keyFile    where a generated key is written once ({@code data/operator.key})
     * @param hashFile   where the generated key's hash is kept
     */
    public static OperatorKey load(ApiKeys keys, String configured, Path keyFile, Path hashFile) throws IOException {
        if (configured != null && !configured.isBlank()) {
            if (configured.trim().length() < MIN_LENGTH) {
                throw new IllegalArgumentException("the operator key must have at least " + MIN_LENGTH + " characters");
            }
            return new OperatorKey(keys, keys.hash(configured.trim()));
        }
        if (Files.exists(hashFile)) {
            return new OperatorKey(keys, Base64.getDecoder().decode(Files.readString(hashFile, StandardCharsets.US_ASCII).trim()));
        }
        ApiKeys.NewKey generated = keys.generate();
        ServerSecrets.writePrivate(keyFile, generated.key() + "\n");
        ServerSecrets.writePrivate(hashFile, Base64.getEncoder().encodeToString(generated.hash()) + "\n");
        // The key itself is never logged: logs are shipped and kept where the key must not be.
        LOG.warn("No operator key configured (MQI_OPERATOR_KEY): generated one, written once to {} (mode 600)", keyFile);
        return new OperatorKey(keys, generated.hash());
    }

    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(keys.hash(presented), hash);
    }
}
