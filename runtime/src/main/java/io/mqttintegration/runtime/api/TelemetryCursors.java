package io.mqttintegration.runtime.api;

import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.storage.tenants.TelemetryStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * The opaque {@code cursor} of the telemetry pages: where the next page starts, in the order the
 * page was read (newest first). A reading's cursor is its timestamp, message id and reading index;
 * a raw message's, its receive time and message id. Times travel as microseconds since the epoch
 * (PostgreSQL's precision), the whole as URL-safe Base64 of {@code a|b[|c]}. A cursor this API did
 * not give out is a 400 naming {@code cursor}, never a 500 or a page from somewhere else.
 */
public final class TelemetryCursors {

    /** Where the next page of raw messages starts. */
    public record MessageCursor(Instant receivedAt, UUID messageId) {
    }

    private TelemetryCursors() {
    }

    /** The cursor after this reading. */
    public static String reading(Instant timestamp, UUID messageId, int seq) {
        return encode(micros(timestamp) + "|" + messageId + "|" + seq);
    }

    /** The cursor after this raw message. */
    public static String message(Instant receivedAt, UUID messageId) {
        return encode(micros(receivedAt) + "|" + messageId);
    }

    /** The reading a cursor points after; null for none (the first page). */
    public static TelemetryStore.After parseReading(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        String[] parts = decode(cursor, 3);
        try {
            int seq = Integer.parseInt(parts[2]);
            if (seq < 0) {
                throw invalid();
            }
            return new TelemetryStore.After(instant(parts[0]), UUID.fromString(parts[1]), seq);
        } catch (RuntimeException e) {
            throw invalid();
        }
    }

    /** The raw message a cursor points after; null for none (the first page). */
    public static MessageCursor parseMessage(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        String[] parts = decode(cursor, 2);
        try {
            return new MessageCursor(instant(parts[0]), UUID.fromString(parts[1]));
        } catch (RuntimeException e) {
            throw invalid();
        }
    }

    static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    /** Microseconds since the epoch; one that overflows is refused (ArithmeticException). */
    private static Instant instant(String micros) {
        return Instant.EPOCH.plusNanos(Math.multiplyExact(Long.parseLong(micros), 1000L));
    }

    private static String encode(String cursor) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(cursor.getBytes(StandardCharsets.UTF_8));
    }

    private static String[] decode(String cursor, int parts) {
        String[] p;
        try {
            p = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", -1);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
        if (p.length != parts) {
            throw invalid();
        }
        return p;
    }

    private static ApiException invalid() {
        return new ApiException(400, "invalid_parameter", "cursor is not one this API gave out", "cursor");
    }
}
