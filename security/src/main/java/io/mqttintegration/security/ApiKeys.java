package io.mqttintegration.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * API keys: {@code mqi_<prefix>_<secret>}. The prefix (public, 12 characters) finds the row; the
 * database keeps only HMAC-SHA256(server secret, key), so a dump of it holds no usable key, and the
 * server secret lives outside the database. Comparison is constant-time.
 */
public final class ApiKeys {

    private static final Pattern FORMAT = Pattern.compile("mqi_([a-z2-7]{12})_([A-Za-z0-9_-]{43})");
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec hmacKey;
    /** One initialised Mac per thread: looking the algorithm up costs more than the HMAC of a key (a JFR profile). */
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    public ApiKeys(byte[] serverSecret) {
        if (serverSecret.length < 32) {
            throw new IllegalArgumentException("the key-hashing secret must have at least 32 bytes");
        }
        this.hmacKey = new SecretKeySpec(serverSecret.clone(), "HmacSHA256");
    }

    /** A new key: give {@code key} to the caller once, store {@code prefix} and {@code hash}. */
    public record NewKey(String key, String prefix, byte[] hash) {
    }

    public NewKey generate() {
        StringBuilder prefix = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            prefix.append(BASE32[random.nextInt(32)]);
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        String key = "mqi_" + prefix + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new NewKey(key, prefix.toString(), hash(key));
    }

    /** The prefix of a well-formed key; empty for anything else (which then matches no row). */
    public static Optional<String> prefixOf(String key) {
        if (key == null) {
            return Optional.empty();
        }
        var m = FORMAT.matcher(key);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    public byte[] hash(String key) {
        return macs.get().doFinal(key.getBytes(StandardCharsets.UTF_8)); // doFinal resets the Mac for the next use
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(hmacKey);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Constant-time check of a presented key against a stored hash. */
    public boolean matches(String presented, byte[] storedHash) {
        return presented != null && storedHash != null && MessageDigest.isEqual(hash(presented), storedHash);
    }
}
