package io.mqttintegration.runtime.sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SinkSignaturesTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private final SinkSignatures signatures = new SinkSignatures(Clock.fixed(NOW, ZoneOffset.UTC));
    private final UUID sink = UUID.randomUUID();
    private final byte[] body = "{\"t\":1}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSignatureIsTheHmacOfTheTimeAndTheBodyAndVerifiesWithinItsTolerance() {
        // The reference value, as a receiver computes it: printf '1796637600.{"t":1}' | openssl dgst -sha256 -hmac whsec_test
        signatures.put(sink, "whsec_test");
        String header = signatures.sign(sink.toString(), body);
        assertEquals("t=1796637600,v1=ad80bc1ca008fa0af5e58627e6c9f03f8cfb887baeb5b2084f7250265e57b381", header);
        assertTrue(SinkSignatures.verify("whsec_test", header, body, NOW.getEpochSecond() + 60, 300));
        assertFalse(SinkSignatures.verify("whsec_test", header, body, NOW.getEpochSecond() + 301, 300), "too old");
        assertFalse(SinkSignatures.verify("whsec_other", header, body, NOW.getEpochSecond(), 300), "another secret");
        assertFalse(SinkSignatures.verify("whsec_test", header, "{\"t\":2}".getBytes(StandardCharsets.UTF_8), NOW.getEpochSecond(), 300),
                "another body");
        assertFalse(SinkSignatures.verify("whsec_test", "t=x,v1=00", body, NOW.getEpochSecond(), 300));
        assertFalse(SinkSignatures.verify("whsec_test", null, body, NOW.getEpochSecond(), 300));
    }

    @Test
    void aSinkThisNodeDoesNotDeliverCannotBeSigned() {
        assertThrows(IllegalStateException.class, () -> signatures.sign(sink.toString(), body));
        signatures.put(sink, SinkSignatures.newSecret());
        signatures.remove(sink);
        assertThrows(IllegalStateException.class, () -> signatures.sign(sink.toString(), body));
    }

    @Test
    void newSecretsAreLongAndDifferent() {
        String a = SinkSignatures.newSecret();
        assertTrue(a.startsWith("whsec_") && a.length() == 6 + 43, a);
        assertFalse(a.equals(SinkSignatures.newSecret()));
    }
}
