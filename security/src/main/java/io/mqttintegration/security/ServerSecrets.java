package io.mqttintegration.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's own secrets, kept outside the database: the master key that encrypts secrets at rest,
 * and the key API keys are hashed with. Each comes from configuration (base64 of 32 bytes) or, when
 * none is configured, from a file in the secrets folder, generated once (mode 600).
 */
public final class ServerSecrets {

    private static final Logger LOG = LoggerFactory.getLogger(ServerSecrets.class);

    private final byte[] masterKey;
    private final byte[] hashKey;

    private ServerSecrets(byte[] masterKey, byte[] hashKey) {
        this.masterKey = masterKey;
        this.hashKey = hashKey;
    }

    public static ServerSecrets load(Path dir, String configuredMasterKey, String configuredHashKey) throws IOException {
        return new ServerSecrets(
                key("master key", configuredMasterKey, dir.resolve("master.key")),
                key("key-hashing secret", configuredHashKey, dir.resolve("hash.key")));
    }

    private static byte[] key(String what, String configured, Path file) throws IOException {
        if (configured != null && !configured.isBlank()) {
            byte[] key = decode(what, configured.trim());
            LOG.info("Using the configured {}", what);
            return key;
        }
        if (Files.exists(file)) {
            return decode(what + " in " + file, Files.readString(file, StandardCharsets.US_ASCII).trim());
        }
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        writePrivate(file, Base64.getEncoder().encodeToString(key) + "\n");
        LOG.warn("No {} configured: generated one in {}. Back it up; without it, data encrypted or hashed with it is lost.",
                what, file);
        return key;
    }

    private static byte[] decode(String what, String base64) {
        try {
            byte[] key = Base64.getDecoder().decode(base64);
            if (key.length != 32) {
                throw new IllegalArgumentException("the " + what + " must be 32 bytes in base64, got " + key.length + " bytes");
            }
            return key;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + what + " is not valid base64 of 32 bytes", e);
        }
    }

    /** Writes a file only its owner can read, creating it (never overwriting). */
    static void writePrivate(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }

    public byte[] masterKey() {
        return masterKey.clone();
    }

    public byte[] hashKey() {
        return hashKey.clone();
    }
}
