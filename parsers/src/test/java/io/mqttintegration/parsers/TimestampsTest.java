package io.mqttintegration.parsers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Random;
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
    void readsTheCommonFormByHandAsTheIsoFormatterDoes() {
        Random random = new Random(11);
        String alphabet = "0123456789-+:.TZtz ";
        String[] seeds = {"2026-11-26T10:30:00Z", "2024-02-29T23:59:59.999999999+14:00", "1970-01-01T00:00:00.5-01:30",
            "2025-02-28T00:00:00+18:00", "2026-12-31T12:00:00.123-18:00", "9999-12-31T23:59:59Z"};
        int common = 0;
        for (int n = 0; n < 50_000; n++) {
            StringBuilder t = new StringBuilder(seeds[random.nextInt(seeds.length)]);
            for (int edits = random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(t.length());
                char ch = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> t.setCharAt(at, ch);
                    case 1 -> t.deleteCharAt(at);
                    default -> t.insert(at, ch);
                }
            }
            String text = t.toString();
            Instant byHand = Timestamps.commonIso(text);
            Instant byFormatter;
            try {
                byFormatter = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeException e) {
                byFormatter = null;
            }
            if (byHand != null) {
                common++;
                assertEquals(byFormatter, byHand, text);
            }
        }
        assertEquals(true, common > 10_000, "the common form was tried: " + common);
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
