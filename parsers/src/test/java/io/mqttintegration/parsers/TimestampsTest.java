package io.mqttintegration.parsers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimestampsTest {

    @Test
    void tellsSecondsFromMillisByMagnitude() {
        assertEquals(Instant.ofEpochSecond(1_700_000_000L), Timestamps.parse("1700000000"));
        assertEquals(Instant.ofEpochMilli(1_700_000_000_500L), Timestamps.parse("1700000000.5"), "fractional seconds");
        assertEquals(Instant.ofEpochMilli(1_700_000_000_000L), Timestamps.parse("1700000000000"));
    }

    @Test
    void readsOffsetsAndZulu() {
        assertEquals(Instant.parse("2026-11-26T09:30:00Z"), Timestamps.parse("2026-11-26T10:30:00+01:00"));
        assertEquals(Instant.parse("2026-11-26T10:30:00.123Z"), Timestamps.parse("2026-11-26T10:30:00.123Z"));
    }

    @Test
    void refusesAmbiguousOrAbsurdValues() {
        assertThrows(PayloadParseException.class, () -> Timestamps.parse("2026-11-26T10:30:00"));
        assertThrows(PayloadParseException.class, () -> Timestamps.parse("yesterday"));
        assertThrows(PayloadParseException.class, () -> Timestamps.parse("1e400"));
        assertThrows(PayloadParseException.class, () -> Timestamps.fromEpoch(-5));
        assertThrows(PayloadParseException.class, () -> Timestamps.fromEpoch(Double.NaN));
    }
}
