package io.mqttintegration.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hashes of device passwords, checked by the hosted broker at every CONNECT. A device password is
 * a random secret of 24 bytes (never a human's choice), so a keyed hash is enough, as for API keys:
 * {@code hmac-sha256$<base64 of HMAC-SHA256(server key, "device-password:" + password)>}, in
 * microseconds, where PBKDF2 at 600,000 iterations costs 270-450 ms of CPU (a reconnect storm of
 * thousands of devices could not be served). The key is the server's key-hashing secret (outside the
 * database), so a dump of the database holds nothing that opens a session. Hashes made before
 * ({@code pbkdf2-sha256$...}, {@link PasswordHash}) still verify, reported as {@link Check#LEGACY}
 * so the caller replaces them with a keyed hash once.
 */
public final class DevicePasswords {

    static final String PREFIX = "hmac-sha256$";
    private static final byte[] DOMAIN = "device-password:".getBytes(StandardCharsets.US_ASCII);
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

    /** What a presented password is worth against a stored hash. */
    public enum Check { MATCH, LEGACY, WRONG }

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    public DevicePasswords(byte[] hashKey) {
        if (hashKey.length < 32) {
            throw new IllegalArgumentException("the key-hashing secret must have at least 32 bytes");
        }
        this.key = new SecretKeySpec(hashKey.clone(), "HmacSHA256");
    }

    public String hash(String password) {
        return PREFIX + B64.encodeToString(mac(password));
    }

    /** Constant-time for keyed hashes; a legacy PBKDF2 hash costs its iterations. */
    public Check check(String password, String stored) {
        if (password == null || stored == null) {
            return Check.WRONG;
        }
        if (stored.startsWith(PREFIX)) {
            byte[] expected;
            try {
                expected = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            } catch (IllegalArgumentException e) {
                return Check.WRONG;
            }
            return MessageDigest.isEqual(expected, mac(password)) ? Check.MATCH : Check.WRONG;
        }
        return PasswordHash.verify(password.toCharArray(), stored) ? Check.LEGACY : Check.WRONG;
    }

    private byte[] mac(String password) {
        Mac mac = macs.get();
        mac.update(DOMAIN);
        return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
