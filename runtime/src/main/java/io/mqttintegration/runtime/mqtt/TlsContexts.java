package io.mqttintegration.runtime.mqtt;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for a broker from an integration's PEM settings: a custom CA (else the JVM's trust store) and,
 * optionally, a client certificate with its private key ({@link #privateKey}).
 */
public final class TlsContexts {

    private static final Pattern LABEL = Pattern.compile("[A-Z0-9 ]{1,40}");

    private TlsContexts() {
    }

    public static SSLContext create(String caPem, String clientCertPem, String clientKeyPem) {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (caPem != null) {
                KeyStore cas = KeyStore.getInstance("PKCS12");
                cas.load(null, null);
                int i = 0;
                for (Certificate c : certificates(caPem)) {
                    cas.setCertificateEntry("ca-" + i++, c);
                }
                trust.init(cas);
            } else {
                trust.init((KeyStore) null);
            }
            KeyManagerFactory keys = null;
            if (clientCertPem != null && clientKeyPem != null) {
                KeyStore client = KeyStore.getInstance("PKCS12");
                client.load(null, null);
                char[] none = new char[0];
                client.setKeyEntry("client", privateKey(clientKeyPem), none,
                        certificates(clientCertPem).toArray(new Certificate[0]));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(client, none);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException | IllegalArgumentException e) {
            throw new BrokerException("tls", "the integration's TLS settings cannot be used: " + e.getMessage());
        }
    }

    private static Collection<? extends Certificate> certificates(String pem) throws GeneralSecurityException {
        return CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    /**
     * The client key of an integration's TLS settings: an unencrypted PKCS#8 key ({@code BEGIN PRIVATE
     * KEY}, RSA or EC) or a PKCS#1 RSA key ({@code BEGIN RSA PRIVATE KEY}, what {@code openssl genrsa}
     * wrote before OpenSSL 3). The settings' validation calls this too, so a key is accepted exactly
     * when a connection can use it.
     *
     * @throws IllegalArgumentException saying why the key cannot be used
     */
    public static PrivateKey privateKey(String pem) {
        int at = 0;
        while ((at = pem.indexOf("-----BEGIN ", at)) >= 0) {
            int close = pem.indexOf("-----", at + 11);
            if (close < 0) {
                break;
            }
            String label = pem.substring(at + 11, close);
            if (LABEL.matcher(label).matches() && label.endsWith("PRIVATE KEY")) {
                int end = pem.indexOf("-----END " + label + "-----", close + 5);
                if (end < 0) {
                    throw new IllegalArgumentException("the PEM block has no -----END " + label + "-----");
                }
                return privateKey(label, pem.substring(close + 5, end));
            }
            at = close + 5;
        }
        throw new IllegalArgumentException("no PEM private key (-----BEGIN ... PRIVATE KEY-----)");
    }

    private static PrivateKey privateKey(String label, String body) {
        if (label.startsWith("ENCRYPTED") || body.contains("ENCRYPTED")) {
            throw new IllegalArgumentException("an encrypted key cannot be used (there is no passphrase to give);"
                    + " decrypt it with: openssl pkcs8 -topk8 -nocrypt");
        }
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PEM block is not base64");
        }
        if (label.equals("RSA PRIVATE KEY")) {
            return generate("RSA", pkcs8OfRsa(der), "the key is not a PKCS#1 RSA private key");
        }
        if (!label.equals("PRIVATE KEY")) {
            throw new IllegalArgumentException("a '" + label + "' key cannot be used: give an unencrypted PKCS#8 key"
                    + " (BEGIN PRIVATE KEY, RSA or EC) or a PKCS#1 RSA key (BEGIN RSA PRIVATE KEY); convert with:"
                    + " openssl pkcs8 -topk8 -nocrypt");
        }
        try {
            return generate("RSA", der, "");
        } catch (IllegalArgumentException e) {
            return generate("EC", der, "the key is neither an RSA nor an EC private key");
        }
    }

    private static PrivateKey generate(String algorithm, byte[] pkcs8, String problem) {
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo: {version 0, {rsaEncryption, NULL}, OCTET STRING}. */
    private static byte[] pkcs8OfRsa(byte[] pkcs1) {
        byte[] header = {0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
            0x01, 0x01, 0x05, 0x00};
        byte[] key = der(0x04, pkcs1);
        byte[] content = new byte[header.length + key.length];
        System.arraycopy(header, 0, content, 0, header.length);
        System.arraycopy(key, 0, content, header.length, key.length);
        return der(0x30, content);
    }

    /** A DER tag-length-value (definite length). */
    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] length = n < 0x80 ? new byte[] {(byte) n}
                : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + length.length + n];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, n);
        return out;
    }
}
