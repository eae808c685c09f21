package io.mqttintegration.parsers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandardJsonParserTest {

    private static final Instant RECEIVED = Instant.parse("2026-11-26T12:00:00Z");
    private final StandardJsonParser parser = new StandardJsonParser(TopicDeviceId.defaultPattern());

    private List<Reading> parse(String topic, String json) {
        return parser.parse(topic, json.getBytes(StandardCharsets.UTF_8), "application/json", RECEIVED);
    }

    @Test
    void readsDeviceFromTopicAndNumericFieldsAsMetrics() {
        List<Reading> readings = parse("site/devices/d-1/telemetry", "{\"temp\":21.5,\"ok\":true,\"label\":\"x\"}");

        assertEquals(1, readings.size());
        Reading r = readings.get(0);
        assertEquals("d-1", r.deviceId());
        assertEquals(RECEIVED, r.timestamp(), "no timestamp in the payload: the receive time is used");
        assertEquals(Map.of("temp", new BigDecimal("21.5"), "ok", true), r.metrics(),
                "top-level strings are labels, not metrics");
    }

    @Test
    void payloadDeviceIdWinsOverTopic() {
        assertEquals("p-9", parse("devices/t-1/x", "{\"deviceId\":\"p-9\",\"v\":1}").get(0).deviceId());
        assertEquals("42", parse("devices/t-1/x", "{\"device_id\":42,\"v\":1}").get(0).deviceId());
    }

    @Test
    void readsIsoAndEpochTimestamps() {
        assertEquals(Instant.parse("2026-11-26T10:00:00Z"),
                parse("devices/d/x", "{\"ts\":\"2026-11-26T11:00:00+01:00\",\"v\":1}").get(0).timestamp());
        assertEquals(Instant.ofEpochSecond(1_700_000_000L),
                parse("devices/d/x", "{\"timestamp\":1700000000,\"v\":1}").get(0).timestamp(), "seconds");
        assertEquals(Instant.ofEpochMilli(1_700_000_000_123L),
                parse("devices/d/x", "{\"time\":1700000000123,\"v\":1}").get(0).timestamp(), "milliseconds");
    }

    @Test
    void metricsObjectKeepsStringsAndIgnoresNestedValues() {
        Reading r = parse("devices/d/x", "{\"metrics\":{\"t\":1,\"mode\":\"eco\",\"deep\":{\"a\":1}},\"other\":5}").get(0);
        assertEquals(Map.of("t", BigInteger.ONE, "mode", "eco"), r.metrics());
    }

    @Test
    void arrayGivesOneReadingPerObject() {
        List<Reading> readings = parse("devices/gw/x", "[{\"id\":\"a\",\"v\":1},{\"id\":\"b\",\"v\":2}]");
        assertEquals(List.of("a", "b"), readings.stream().map(Reading::deviceId).toList());
    }

    @Test
    void objectWithoutMetricsGivesNoReading() {
        assertTrue(parse("devices/d/x", "{\"status\":\"online\"}").isEmpty());
    }

    @Test
    void hugeExponentStaysAnExactNumber() {
        Object v = parse("devices/d/x", "{\"v\":1e999}").get(0).metrics().get("v");
        assertEquals(new BigDecimal("1e999"), v, "1e999 must not turn into Infinity");
    }

    @Test
    void rejectsWhatCannotBeStoredOrRead() {
        assertThrows(PayloadParseException.class, () -> parse("devices/d/x", "{\"v\":"), "truncated JSON");
        assertThrows(PayloadParseException.class, () -> parse("devices/d/x", "42"), "scalar payload");
        assertThrows(PayloadParseException.class, () -> parse("no/device/here", "{\"v\":1}"), "no device id");
        assertThrows(PayloadParseException.class, () -> parse("devices/d/x", "{\"id\":\"a\\u0000b\",\"v\":1}"),
                "PostgreSQL text refuses NUL");
        assertThrows(PayloadParseException.class, () -> parse("devices/d/x", "{\"ts\":\"2026-11-26T10:00:00\",\"v\":1}"),
                "a timestamp without offset is ambiguous");
        assertThrows(PayloadParseException.class, () -> parse("devices/d/x", "{\"ts\":\"30000-01-01T00:00:00Z\",\"v\":1}"),
                "year 30000");
        assertThrows(PayloadParseException.class, () -> parse("devices/d/x", "{\"v\":1,\"v\":2}"), "duplicate key");
        assertThrows(PayloadParseException.class, () -> parse("devices/d/x", "[".repeat(10_000)), "deep nesting");
    }
}
