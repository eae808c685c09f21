package io.mqttintegration.parsers;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Reads a reading's timestamp: ISO-8601 with an offset, or epoch seconds or milliseconds told apart
 * by magnitude. A local time without offset is refused: it would be silently read in some zone.
 */
public final class Timestamps {

    /** Below this an epoch number is read as seconds (it is the year 5138 in seconds, 1973 in millis). */
    static final double SECONDS_LIMIT = 1e11;

    /** Accepted years; anything outside is a sensor bug, not a date. */
    static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private Timestamps() {
    }

    public static Instant parse(JsonNode node) {
        if (node.isNumber()) {
            return fromEpoch(node.asDouble());
        }
        if (node.isTextual()) {
            return parse(node.asText());
        }
        throw new PayloadParseException("timestamp must be a string or a number, got " + node.getNodeType());
    }

    public static Instant parse(String text) {
        String t = text.trim();
        if (!t.isEmpty() && t.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')) {
            try {
                return fromEpoch(Double.parseDouble(t));
            } catch (NumberFormatException e) {
                throw new PayloadParseException("timestamp is not a number: " + abbreviate(t));
            }
        }
        try {
            return checkRange(OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeException e) {
            throw new PayloadParseException("timestamp is not ISO-8601 with an offset (e.g. 2026-11-26T10:00:00Z): "
                    + abbreviate(t));
        }
    }

    static Instant fromEpoch(double value) {
        if (!Double.isFinite(value)) {
            throw new PayloadParseException("timestamp is not a finite number");
        }
        double millis = Math.abs(value) < SECONDS_LIMIT ? value * 1000.0 : value;
        if (millis < EARLIEST.toEpochMilli() || millis > LATEST.toEpochMilli()) {
            throw new PayloadParseException("timestamp out of range: " + value);
        }
        return Instant.ofEpochMilli(Math.round(millis));
    }

    private static Instant checkRange(Instant instant) {
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new PayloadParseException("timestamp out of range: " + instant);
        }
        return instant;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
