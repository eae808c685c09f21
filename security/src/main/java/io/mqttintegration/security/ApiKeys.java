package io.mqttintegration.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * API keys: {@code mqi_<prefix>_<secret>}. The prefix (public, 12 characters) finds the row; the
 * database keeps only HMAC-SHA256(server secret, key), so a dump of it holds no usable key, and the
 * server secret lives outside the database. Comparison is constant-time.
 */
public final class ApiKeys {

    /** {@code mqi_}, 12 base32 characters, {@code _}, 43 base64url characters (32 random bytes). */
    static final String FORMAT = "mqi_([a-z2-7]{12})_([A-Za-z0-9_-]{43})";
    private static final int PREFIX_START = 4;
    private static final int PREFIX_END = PREFIX_START + 12;
    private static final int LENGTH = PREFIX_END + 1 + 43;
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
        // FORMAT, checked by hand: a regular expression cost ~3 % of the ingestion thread (profile).
        if (key.length() != LENGTH || !key.startsWith("mqi_") || key.charAt(PREFIX_END) != '_') {
            return Optional.empty();
        }
        for (int i = PREFIX_START; i < PREFIX_END; i++) {
            char ch = key.charAt(i);
            if (!(ch >= 'a' && ch <= 'z' || ch >= '2' && ch <= '7')) {
                return Optional.empty();
            }
        }
        for (int i = PREFIX_END + 1; i < LENGTH; i++) {
            char ch = key.charAt(i);
            if (!(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '-')) {
                return Optional.empty();
            }
        }
        return Optional.of(key.substring(PREFIX_START, PREFIX_END));
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
