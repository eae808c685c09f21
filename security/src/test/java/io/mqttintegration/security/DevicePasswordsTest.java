package io.mqttintegration.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DevicePasswordsTest {

    private static byte[] key(int b) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) b);
        return k;
    }

    private final DevicePasswords passwords = new DevicePasswords(key(7));

    @Test
    void keyedHashMatchesItsPasswordOnly() {
        String stored = passwords.hash("s3cret-password");
        assertTrue(stored.startsWith("hmac-sha256$"), stored);
        assertEquals(DevicePasswords.Check.MATCH, passwords.check("s3cret-password", stored));
        assertEquals(DevicePasswords.Check.WRONG, passwords.check("s3cret-passworD", stored));
        assertEquals(DevicePasswords.Check.WRONG, passwords.check("", stored));
        assertEquals(DevicePasswords.Check.WRONG, passwords.check(null, stored));
        assertNotEquals(DevicePasswords.Check.LEGACY, passwords.check("s3cret-password", stored), "a keyed hash is not replaced again");
    }

    @Test
    void hashDependsOnTheServerKey() {
        String stored = passwords.hash("p");
        assertNotEquals(stored, new DevicePasswords(key(8)).hash("p"), "a dump without the server key opens nothing");
        assertEquals(DevicePasswords.Check.WRONG, new DevicePasswords(key(8)).check("p", stored));
    }

    @Test
    void oldPbkdf2HashStillVerifiesAsLegacy() {
        String old = PasswordHash.hash("old-password".toCharArray(), 1_000);
        assertFalse(old.startsWith(DevicePasswords.PREFIX), old);
        assertEquals(DevicePasswords.Check.LEGACY, passwords.check("old-password", old), "replaced with a keyed hash after this check");
        assertEquals(DevicePasswords.Check.WRONG, passwords.check("other", old));
    }

    @Test
    void malformedStoredHashIsWrong() {
        assertEquals(DevicePasswords.Check.WRONG, passwords.check("p", "hmac-sha256$%%%"));
        assertEquals(DevicePasswords.Check.WRONG, passwords.check("p", "garbage"));
    }
}
