package io.mqttintegration.security;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecurityTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void apiKeysAreStoredAsKeyedHashesAndFoundByTheirPrefix() {
        ApiKeys keys = new ApiKeys(SECRET);
        ApiKeys.NewKey k = keys.generate();

        assertTrue(k.key().startsWith("mqi_" + k.prefix() + "_"), k.key());
        assertEquals(Optional.of(k.prefix()), ApiKeys.prefixOf(k.key()));
        assertTrue(keys.matches(k.key(), k.hash()));
        assertFalse(keys.matches(k.key() + "x", k.hash()));
        assertFalse(new ApiKeys("another-secret-of-32-bytes-long!".getBytes(StandardCharsets.US_ASCII)).matches(k.key(), k.hash()),
                "without the server secret a stolen hash cannot be checked against guesses");
        assertFalse(new String(k.hash(), StandardCharsets.ISO_8859_1).contains(k.key()));
        assertEquals(Optional.empty(), ApiKeys.prefixOf("Bearer nonsense"));
        assertEquals(Optional.empty(), ApiKeys.prefixOf("mqi_short_x"));
    }

    @Test
    void aKeysPrefixIsFoundExactlyWhenTheKeyHasTheFormat() {
        Pattern format = Pattern.compile(ApiKeys.FORMAT);
        ApiKeys keys = new ApiKeys(SECRET);
        Random random = new Random(7);
        String alphabet = "mqi_azAZ279018-+/=.{} \u00e9\u0000";
        int valid = 0;
        for (int n = 0; n < 20_000; n++) {
            StringBuilder key = new StringBuilder(keys.generate().key());
            // one to three edits of a real key: a character replaced, removed or added
            for (int edits = random.nextInt(4); edits > 0; edits--) {
                int at = random.nextInt(key.length());
                char ch = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> key.setCharAt(at, ch);
                    case 1 -> key.deleteCharAt(at);
                    default -> key.insert(at, ch);
                }
            }
            Matcher m = format.matcher(key);
            Optional<String> expected = m.matches() ? Optional.of(m.group(1)) : Optional.empty();
            assertEquals(expected, ApiKeys.prefixOf(key.toString()), key.toString());
            valid += expected.isPresent() ? 1 : 0;
        }
        assertTrue(valid > 3_000 && valid < 17_000, "both kinds were tried: " + valid + " well-formed");
    }

    @Test
    void secretBoxBindsACiphertextToItsOrganization() {
        SecretBox box = new SecretBox(SECRET);
        byte[] sealed = box.seal("broker-password", "org-a");

        assertEquals("broker-password", box.open(sealed, "org-a"));
        assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("broker-password"));
        assertNotEquals(Base64.getEncoder().encodeToString(sealed),
                Base64.getEncoder().encodeToString(box.seal("broker-password", "org-a")), "a fresh nonce each time");
        assertThrows(SecretBox.SecretBoxException.class, () -> box.open(sealed, "org-b"),
                "copied into another organization's row it does not decrypt");
        sealed[sealed.length - 1] ^= 1;
        assertThrows(SecretBox.SecretBoxException.class, () -> box.open(sealed, "org-a"), "tampering is detected");
    }

    @Test
    void passwordHashesAreSaltedAndVerify() {
        String a = PasswordHash.hash("s3cret".toCharArray(), 1000);
        String b = PasswordHash.hash("s3cret".toCharArray(), 1000);
        assertNotEquals(a, b, "salted");
        assertTrue(PasswordHash.verify("s3cret".toCharArray(), a));
        assertFalse(PasswordHash.verify("s3cret!".toCharArray(), a));
        assertTrue(a.startsWith("pbkdf2-sha256$1000$"));
    }

    @Test
    void serverSecretsAreGeneratedOnceWithOwnerOnlyPermissions() throws Exception {
        ServerSecrets first = ServerSecrets.load(dir, null, null);
        ServerSecrets second = ServerSecrets.load(dir, null, null);

        assertArrayEquals(first.masterKey(), second.masterKey(), "kept between starts");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("master.key"))));
        String configured = Base64.getEncoder().encodeToString(SECRET);
        assertArrayEquals(SECRET, ServerSecrets.load(dir, configured, configured).hashKey(), "configuration wins");
        assertThrows(IllegalArgumentException.class, () -> ServerSecrets.load(dir, "c2hvcnQ=", null));
    }

    @Test
    void aGeneratedOperatorKeyIsWrittenOnceAndOnlyItsHashIsKept() throws Exception {
        ApiKeys keys = new ApiKeys(SECRET);
        Path keyFile = dir.resolve("operator.key");
        Path hashFile = dir.resolve("secrets/operator.key.hash");

        OperatorKey generated = OperatorKey.load(keys, null, keyFile, hashFile);
        String key = Files.readString(keyFile).trim();
        assertTrue(generated.matches(key));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        assertFalse(Files.readString(hashFile).contains(key), "the hash file does not hold the key");

        Files.delete(keyFile);
        assertTrue(OperatorKey.load(keys, null, keyFile, hashFile).matches(key), "a restart keeps the same key");
        assertFalse(Files.exists(keyFile), "the key is written once, not again");

        OperatorKey configured = OperatorKey.load(keys, "a-configured-operator-key-of-32-chars+", keyFile, hashFile);
        assertTrue(configured.matches("a-configured-operator-key-of-32-chars+"));
        assertFalse(configured.matches(key));
        assertThrows(IllegalArgumentException.class, () -> OperatorKey.load(keys, "short", keyFile, hashFile));
    }
}
