package io.mqttintegration.parsers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeclarativeParserTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    private static PathExpression p(String text) {
        return PathExpression.parse(text);
    }

    static ParserDefinition vendorNested() {
        return new ParserDefinition("vendor-nested", null, null, ParserDefinition.Format.JSON, p("$.data[*]"),
                p("$.dev.sn"), p("@.t"), Map.of(), p("@.k"), p("@.v"), List.of(), ",", Map.of("vendor", "acme"));
    }

    static ParserDefinition csvLine() {
        return new ParserDefinition("csv-line", null, null, ParserDefinition.Format.CSV, null, null, null, Map.of(), null,
                null, List.of("deviceId", "timestamp", "temperature", "humidity"), ",", Map.of());
    }

    private static List<Reading> parse(ParserDefinition def, String topic, String payload) {
        return new DeclarativeParser(def, TopicDeviceId.defaultPattern())
                .parse(topic, payload.getBytes(StandardCharsets.UTF_8), "application/json", NOW);
    }

    @Test
    void nestedVendorJsonGivesOneReadingPerDeviceAndTime() {
        List<Reading> r = parse(vendorNested(), "vendor/x",
                "{\"dev\":{\"sn\":\"A17\"},\"data\":[{\"k\":\"temp\",\"v\":21.5,\"t\":1700000000},"
                        + "{\"k\":\"rh\",\"v\":40,\"t\":1700000000},{\"k\":\"temp\",\"v\":21.7,\"t\":1700000060}]}");
        assertEquals(2, r.size());
        assertEquals("A17", r.get(0).deviceId());
        assertEquals(Instant.ofEpochSecond(1_700_000_000L), r.get(0).timestamp());
        assertEquals(Map.of("temp", new BigDecimal("21.5"), "rh", new BigDecimal("40"), "vendor", "acme"), r.get(0).metrics(),
                "key/value items of one time make one reading; tags are added");
        assertEquals(Map.of("temp", new BigDecimal("21.7"), "vendor", "acme"), r.get(1).metrics());
    }

    @Test
    void csvLinesWithDeclaredColumns() {
        List<Reading> r = parse(csvLine(), "csv/in", "d-17,2026-11-26T10:00:00Z,21.5,40.2\nd-18,2026-11-26T10:00:00Z,19,true\n");
        assertEquals(2, r.size());
        assertEquals("d-17", r.get(0).deviceId());
        assertEquals(Instant.parse("2026-11-26T10:00:00Z"), r.get(0).timestamp());
        assertEquals(Map.of("temperature", new BigDecimal("21.5"), "humidity", new BigDecimal("40.2")), r.get(0).metrics());
        assertEquals(Map.of("temperature", new BigDecimal("19"), "humidity", true), r.get(1).metrics());
        assertThrows(PayloadParseException.class, () -> parse(csvLine(), "csv/in", "d-17,2026-11-26T10:00:00Z,21.5"),
                "a line with the wrong number of columns");
    }

    @Test
    void namedMetricsDefaultTimeAndTopicDevice() {
        ParserDefinition def = new ParserDefinition("named", "plant/#", null, ParserDefinition.Format.JSON, null, null, null,
                Map.of("temperature", p("$.readings.t"), "pressure", p("$['readings']['p']")), null, null, List.of(), ",",
                Map.of());
        Reading r = parse(def, "plant/devices/p-1/x", "{\"readings\":{\"t\":3,\"p\":1013}}").get(0);
        assertEquals("p-1", r.deviceId());
        assertEquals(NOW, r.timestamp());
        assertEquals(Map.of("temperature", new BigDecimal("3"), "pressure", new BigDecimal("1013")), r.metrics());
        assertThrows(PayloadParseException.class, () -> parse(def, "other/devices/p-1/x", "{}"), "the topic match applies");
    }

    @Test
    void pathExpressions() {
        assertEquals("[2]", PathExpression.parse("$.a[-1]").select(Json.strict().valueToTree(Map.of("a", List.of(1, 2))), null)
                .toString());
        assertThrows(IllegalArgumentException.class, () -> PathExpression.parse("a.b"));
        assertThrows(IllegalArgumentException.class, () -> PathExpression.parse("$.a[?(@.x>1)]"), "no filters");
        assertThrows(IllegalArgumentException.class, () -> PathExpression.parse("$.a[0"));
        assertThrows(IllegalArgumentException.class, () -> PathExpression.parse("$..a"));
    }
}
