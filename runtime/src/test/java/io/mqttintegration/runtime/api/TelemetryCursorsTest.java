package io.mqttintegration.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.storage.tenants.TelemetryStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TelemetryCursorsTest {

    private static final UUID ID = UUID.fromString("0193a5b2-7c1e-7abc-8def-0123456789ab");

    @Test
    void aReadingCursorPointsBackAtItsReadingToTheMicrosecond() {
        Instant t = Instant.parse("2026-11-26T10:00:00.123456789Z");

        TelemetryStore.After after = TelemetryCursors.parseReading(TelemetryCursors.reading(t, ID, 7));

        assertEquals(new TelemetryStore.After(Instant.parse("2026-11-26T10:00:00.123456Z"), ID, 7), after);
    }

    @Test
    void aMessageCursorPointsBackAtItsMessageEvenBeforeTheEpoch() {
        Instant t = Instant.parse("1969-12-31T23:59:59.999999Z");

        assertEquals(new TelemetryCursors.MessageCursor(t, ID), TelemetryCursors.parseMessage(TelemetryCursors.message(t, ID)));
    }

    @Test
    void noCursorIsTheFirstPage() {
        assertNull(TelemetryCursors.parseReading(null));
        assertNull(TelemetryCursors.parseReading(""));
        assertNull(TelemetryCursors.parseMessage(null));
        assertNull(TelemetryCursors.parseMessage(""));
    }

    @Test
    void aCursorThisApiDidNotGiveOutIsA400NamingTheCursor() {
        List<String> readings = List.of(
                "not base64!",
                b64("1|" + ID),                       // a message's cursor where a reading's is expected
                b64("1|" + ID + "|0|extra"),
                b64("1|" + ID + "|"),                 // an empty part is not dropped
                b64("x|" + ID + "|0"),
                b64("1|not-a-uuid|0"),
                b64("1|" + ID + "|-1"),
                b64("1|" + ID + "|99999999999"),
                b64(Long.MAX_VALUE + "|" + ID + "|0"), // microseconds that overflow as nanoseconds
                b64("|||"));
        for (String cursor : readings) {
            ApiException e = assertThrows(ApiException.class, () -> TelemetryCursors.parseReading(cursor), cursor);
            assertEquals(400, e.status(), cursor);
            assertEquals("cursor", e.field(), cursor);
        }
        for (String cursor : List.of("%%%", b64("1|" + ID + "|0"), b64("1|" + ID + "|"), b64(Long.MIN_VALUE + "|" + ID),
                b64("1"))) {
            ApiException e = assertThrows(ApiException.class, () -> TelemetryCursors.parseMessage(cursor), cursor);
            assertEquals(400, e.status(), cursor);
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
