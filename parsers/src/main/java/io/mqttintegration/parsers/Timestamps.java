package io.mqttintegration.parsers;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
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
        Instant common = commonIso(t);
        if (common != null) {
            return checkRange(common);
        }
        try {
            return checkRange(OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeException e) {
            throw new PayloadParseException("timestamp is not ISO-8601 with an offset (e.g. 2026-11-26T10:00:00Z): "
                    + abbreviate(t));
        }
    }

    /**
     * The form devices send ({@code 2026-11-26T10:30:00Z}, {@code 2026-11-26T10:30:00.123+01:00}:
     * {@code yyyy-MM-ddTHH:mm:ss}, 1 to 9 fraction digits, {@code Z} or {@code ±HH:mm}) read by hand, or
     * null for anything else, which {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} then reads or
     * refuses. Same instants as the formatter (TimestampsTest compares the two); the formatter cost ~4 %
     * of the ingestion event loop (a CPU profile of the assembly).
     */
    static Instant commonIso(String t) {
        int n = t.length();
        if (n < 20 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 7);
        int day = digits(t, 8, 10);
        int hour = digits(t, 11, 13);
        int minute = digits(t, 14, 16);
        int second = digits(t, 17, 19);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year)) || hour < 0 || hour > 23
                || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (t.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
                nanos = nanos * 10 + (t.charAt(i++) - '0');
            }
            if (i == start) {
                return null;
            }
            for (int k = i - start; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && t.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (t.charAt(i) == '+' || t.charAt(i) == '-') && t.charAt(i + 3) == ':') {
            int oh = digits(t, i + 1, i + 3);
            int om = digits(t, i + 4, i + 6);
            if (oh < 0 || oh > 18 || om < 0 || om > 59 || oh == 18 && om > 0) {
                return null;
            }
            offsetSeconds = (t.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds, nanos);
    }

    /** The decimal number in {@code t[from, to)}, or -1 if a character there is not a digit. */
    private static int digits(String t, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
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
