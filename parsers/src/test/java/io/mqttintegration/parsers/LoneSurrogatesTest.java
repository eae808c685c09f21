package io.mqttintegration.parsers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoneSurrogatesTest {

    private static LoneSurrogates.Found find(String json) throws Exception {
        return LoneSurrogates.find(Json.strict().readTree(json));
    }

    @Test
    void namesThePathOfTheStringThatHoldsALoneSurrogate() throws Exception {
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put("{\"name\":\"adv-x\\ud800y\"}", "name");
        paths.put("{\"name\":\"adv-x\\udc00y\"}", "name");
        paths.put("{\"name\":\"x\\ude00\\ud83d\"}", "name");
        paths.put("{\"settings\":{\"topics\":[\"ok\",\"a/\\ud800\"]}}", "settings.topics[1]");
        paths.put("[{\"topic\":\"t\",\"payload\":1},{\"topic\":\"t\",\"payload\":{\"v\":[[\"\\udfff\"]]}}]", "[1].payload.v[0][0]");
        paths.put("\"\\ud800\"", "");
        for (Map.Entry<String, String> p : paths.entrySet()) {
            LoneSurrogates.Found found = find(p.getKey());
            assertEquals(p.getValue(), found == null ? null : found.path(), p.getKey());
        }
    }

    @Test
    void describesTheSurrogateAndWhereItIs() throws Exception {
        assertEquals("a lone surrogate (U+D800) at character 5 of name", find("{\"name\":\"adv-x\\ud800y\"}").describe());
        assertEquals("a lone surrogate (U+DC00) at character 0 of the top-level string", find("\"\\udc00\"").describe());
    }

    @Test
    void aFieldNameIsNamedWithItsSurrogateWrittenAsAnEscape() throws Exception {
        LoneSurrogates.Found found = find("{\"userProperties\":{\"k\\ud800\":\"v\"}}");
        assertEquals("userProperties.k\\uD800", found.path());
        assertTrue(found.inName());
        assertEquals(-1, LoneSurrogates.indexOf(found.path()), "the path itself is whole Unicode, so an error can carry it");
        assertEquals("a lone surrogate (U+D800) at character 1 of the field name userProperties.k\\uD800", found.describe());
    }

    @Test
    void wholeCharactersAreNotLoneSurrogates() throws Exception {
        assertNull(find("{\"name\":\"smile \\ud83d\\ude00\",\"raw\":\"\uD83D\uDE00\",\"e\":\"\\u00e9\\uffff\","
                + "\"n\":1,\"b\":true,\"z\":null,\"\\ud83d\\ude00\":[\"\"]}"));
    }

    @Test
    void aPayloadWithALoneSurrogateFailsToParseInsteadOfBeingAltered() {
        Instant now = Instant.parse("2026-11-26T12:00:00Z");
        StandardJsonParser standard = new StandardJsonParser(TopicDeviceId.defaultPattern());
        PayloadParseException escaped = assertThrows(PayloadParseException.class, () -> standard.parse("devices/d/t",
                "{\"metrics\":{\"mode\":\"e\\udc00co\"}}".getBytes(StandardCharsets.UTF_8), "application/json", now));
        assertEquals("payload holds a lone surrogate (U+DC00) at character 1 of metrics.mode", escaped.getMessage());
        byte[] encoded = HexFormat.of().parseHex("5b7b226e223a2274eda080222c2276223a317d5d"); // [{"n":"t<ED A0 80>","v":1}]
        PayloadParseException senml = assertThrows(PayloadParseException.class,
                () -> new SenmlParser(TopicDeviceId.defaultPattern()).parse("devices/d/t", encoded, "application/senml+json", now));
        assertEquals("payload holds a lone surrogate (U+D800) at character 1 of [0].n", senml.getMessage(),
                "Jackson decodes an encoded surrogate from bytes without complaint");
    }
}
