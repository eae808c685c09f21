package io.mqttintegration.runtime.sinks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Body;
import org.apache.camel.Header;

/**
 * The signature a webhook receiver checks, as Stripe's and GitHub's webhooks do: header
 * {@value #HEADER} {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the sink's secret>}.
 * The secret is made when the sink is created, shown once, and kept sealed; this bean holds the
 * secrets of the sinks this node delivers (the webhook template calls {@link #sign}). A receiver
 * checks the HMAC and that {@code t} is recent ({@link #verify}, docs/sinks.md shows it in a few lines).
 */
public final class SinkSignatures {

    public static final String HEADER = "X-MQI-Signature";
    /** The settings key of a webhook sink's secret (a template parameter of sink-webhook). */
    public static final String SECRET = "signingSecret";
    private static final String PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, byte[]> keys = new ConcurrentHashMap<>();
    private final Clock clock;

    public SinkSignatures(Clock clock) {
        this.clock = clock;
    }

    /** A new secret: {@code whsec_} and 32 random bytes, base64url. */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }

    void put(UUID sinkId, String secret) {
        keys.put(sinkId.toString(), secret.getBytes(StandardCharsets.UTF_8));
    }

    void remove(UUID sinkId) {
        keys.remove(sinkId.toString());
    }

    /**
     * The header's value for this body, signed now with the sink's secret.
     *
     * @throws IllegalStateException a sink this node does not deliver, or one without a secret
     */
    public String sign(@Header(SinkDispatcher.SINK_ID) String sinkId, @Body byte[] body) {
        byte[] key = keys.get(sinkId);
        if (key == null) {
            throw new IllegalStateException("no signing secret for sink " + sinkId + " on this node");
        }
        long t = clock.instant().getEpochSecond();
        return "t=" + t + ",v1=" + hmac(key, t, body);
    }

    /**
     * What a receiver does: true when {@code header} signs {@code body} with {@code secret} and its
     * time is within {@code toleranceSeconds} of {@code nowEpochSeconds}.
     */
    public static boolean verify(String secret, String header, byte[] body, long nowEpochSeconds, long toleranceSeconds) {
        if (header == null) {
            return false;
        }
        long t = -1;
        String v1 = null;
        for (String part : header.split(",")) {
            if (part.startsWith("t=")) {
                try {
                    t = Long.parseLong(part.substring(2));
                } catch (NumberFormatException e) {
                    return false;
                }
            } else if (part.startsWith("v1=")) {
                v1 = part.substring(3);
            }
        }
        if (t < 0 || v1 == null || Math.abs(nowEpochSeconds - t) > toleranceSeconds) {
            return false;
        }
        String expected = hmac(secret.getBytes(StandardCharsets.UTF_8), t, body);
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), v1.getBytes(StandardCharsets.US_ASCII));
    }

    private static String hmac(byte[] key, long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
