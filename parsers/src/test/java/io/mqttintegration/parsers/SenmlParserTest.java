package io.mqttintegration.parsers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 8428's own examples (section 5.1), and the rules they rest on. */
class SenmlParserTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private final SenmlParser parser = new SenmlParser(TopicDeviceId.defaultPattern());

    private List<Reading> parse(String topic, String pack) {
        return parser.parse(topic, pack.getBytes(StandardCharsets.UTF_8), "application/senml+json", NOW);
    }

    @Test
    void rfc8428SingleDatapoint() {
        List<Reading> r = parse("site/devices/d1/senml", "[{\"n\":\"urn:dev:ow:10e2073a01080063\",\"u\":\"Cel\",\"v\":23.1}]");
        assertEquals(1, r.size());
        assertEquals("d1", r.get(0).deviceId(), "no base name: the device comes from the topic");
        assertEquals(Map.of("urn:dev:ow:10e2073a01080063", new BigDecimal("23.1")), r.get(0).metrics());
        assertEquals(Map.of("urn:dev:ow:10e2073a01080063", "Cel"), r.get(0).units());
        assertEquals(NOW, r.get(0).timestamp(), "no time: now");
    }

    @Test
    void rfc8428MultipleDatapoints() {
        List<Reading> r = parse("x", "[{\"bn\":\"urn:dev:ow:10e2073a01080063:\",\"n\":\"voltage\",\"u\":\"V\",\"v\":120.1},"
                + "{\"n\":\"current\",\"u\":\"A\",\"v\":1.2}]");
        assertEquals(1, r.size());
        assertEquals("urn:dev:ow:10e2073a01080063", r.get(0).deviceId(), "the base name, without its trailing colon");
        assertEquals(Map.of("voltage", new BigDecimal("120.1"), "current", new BigDecimal("1.2")), r.get(0).metrics());
        assertEquals(Map.of("voltage", "V", "current", "A"), r.get(0).units());
    }

    @Test
    void rfc8428MultipleMeasurementsWithBaseTimeAndRelativeTimes() {
        List<Reading> r = parse("x", """
                [{"bn":"urn:dev:ow:10e2073a0108006:","bt":1.276020076001e+09,"bu":"A","bver":5,"n":"voltage","u":"V","v":120.1},
                 {"n":"current","t":-5,"v":1.2},
                 {"n":"current","t":-4,"v":1.3},
                 {"n":"current","t":-3,"v":1.4},
                 {"n":"current","t":-2,"v":1.5},
                 {"n":"current","t":-1,"v":1.6},
                 {"n":"current","v":1.7}]
                """);
        assertEquals(6, r.size(), "six distinct times");
        Reading first = r.get(0);
        assertEquals(Instant.ofEpochMilli(1_276_020_076_001L), first.timestamp());
        assertEquals(Map.of("voltage", new BigDecimal("120.1"), "current", new BigDecimal("1.7")), first.metrics(),
                "voltage and the last current share the base time");
        assertEquals(Map.of("voltage", "V", "current", "A"), first.units(), "bu applies where u is absent");
        assertEquals(Instant.ofEpochMilli(1_276_020_071_001L), r.get(1).timestamp(), "bt + t (t = -5)");
        assertEquals(Map.of("current", new BigDecimal("1.2")), r.get(1).metrics());
    }

    @Test
    void valuesOfEveryTypeAndBaseValue() {
        List<Reading> r = parse("x", "[{\"bn\":\"dev-1/\",\"bv\":100,\"n\":\"level\",\"v\":5},"
                + "{\"n\":\"mode\",\"vs\":\"eco\"},{\"n\":\"open\",\"vb\":true},{\"n\":\"blob\",\"vd\":\"aGk=\"},{\"n\":\"energy\",\"s\":42}]");
        assertEquals(Map.of("level", new BigDecimal("105"), "mode", "eco", "open", true, "blob", "aGk=",
                "energy", new BigDecimal("42")), r.get(0).metrics());
        assertEquals("dev-1", r.get(0).deviceId());
    }

    @Test
    void smallResolvedTimesAreRelativeToNow() {
        Reading r = parse("x", "[{\"bn\":\"d:\",\"n\":\"t\",\"t\":-60,\"v\":1}]").get(0);
        assertEquals(NOW.minusSeconds(60), r.timestamp());
    }

    @Test
    void refusesWhatIsNotSenml() {
        assertThrows(PayloadParseException.class, () -> parse("x", "{\"n\":\"a\",\"v\":1}"), "not an array");
        assertThrows(PayloadParseException.class, () -> parse("x", "[{\"bn\":\"d:\",\"n\":\"a\",\"v\":\"1\"}]"), "v not a number");
        assertThrows(PayloadParseException.class, () -> parse("x", "[{\"bn\":\"d:\",\"bver\":11,\"n\":\"a\",\"v\":1}]"), "newer version");
        assertThrows(PayloadParseException.class, () -> parse("no/device", "[{\"n\":\"a\",\"v\":1}]"), "no device anywhere");
        assertThrows(PayloadParseException.class, () -> parse("x", "[{\"v\":1}]"), "no name");
    }
}
