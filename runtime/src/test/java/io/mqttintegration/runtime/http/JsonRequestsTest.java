package io.mqttintegration.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Request bodies are strict UTF-8 and strict JSON; every refusal is a 400 with a plain detail. */
class JsonRequestsTest {

    private final JsonRequests json = new JsonRequests(4 << 20);

    private static byte[] inString(String hex) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("{\"name\":\"a".getBytes(StandardCharsets.UTF_8));
        out.writeBytes(HexFormat.of().parseHex(hex));
        out.writeBytes("b\"}".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    @Test
    void refusesEveryByteSequenceThatIsNotStrictUtf8() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("c0af", "overlong '/' (2 bytes)");
        bad.put("e080af", "overlong '/' (3 bytes)");
        bad.put("f08080af", "overlong '/' (4 bytes)");
        bad.put("eda0bdedb880", "CESU-8 surrogate pair (U+1F600)");
        bad.put("eda080", "lone high surrogate U+D800");
        bad.put("edbfbf", "lone low surrogate U+DFFF");
        bad.put("f4908080", "above U+10FFFF");
        bad.put("ff", "byte 0xFF");
        bad.put("80", "continuation byte without a lead");
        bad.put("e282", "truncated 3-byte sequence");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            refusedAsMalformed(inString(e.getKey()), e.getValue());
        }
    }

    private ApiException refusedAsMalformed(byte[] body, String what) {
        ApiException refused = assertThrows(ApiException.class, () -> json.read(body), what);
        assertEquals(400, refused.status(), what);
        assertEquals("malformed_json", refused.code(), what + ": " + refused.getMessage());
        return refused;
    }

    @Test
    void acceptsWellFormedMultiByteCharacters() {
        assertEquals("a\u00e9\u20ac\ud83d\ude00b", json.read(inString("c3a9e282acf09f9880")).path("name").textValue());
    }

    @Test
    void refusesAnEscapedLoneSurrogateNamingTheFieldInsteadOfStoringAQuestionMark() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("{\"name\":\"adv-x\\ud800y\"}", "name");
        bad.put("{\"name\":\"adv-x\\udc00y\"}", "name");
        bad.put("{\"name\":\"\\ude00\\ud83d\"}", "name");
        bad.put("[{\"topic\":\"t\",\"payload\":1},{\"topic\":\"t\",\"payload\":{\"v\":\"\\ud800\"}}]", "[1].payload.v");
        bad.put("{\"userProperties\":{\"k\\udbff\":\"v\"}}", "userProperties.k\\uDBFF");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            ApiException refused = refusedAsMalformed(e.getKey().getBytes(StandardCharsets.UTF_8), e.getKey());
            assertEquals(e.getValue(), refused.field(), e.getKey() + ": " + refused.getMessage());
        }
        assertEquals("the body holds a lone surrogate (U+D800) at character 5 of name: a \\uD800-\\uDFFF escape must be one half"
                + " of a pair", refusedAsMalformed("{\"name\":\"adv-x\\ud800y\"}".getBytes(StandardCharsets.UTF_8), "name").getMessage());
    }

    @Test
    void acceptsAnEscapedSurrogatePair() {
        assertEquals("smile \ud83d\ude00", json.read("{\"name\":\"smile \\ud83d\\ude00\"}".getBytes(StandardCharsets.UTF_8))
                .path("name").textValue());
    }

    @Test
    void limitErrorsSayWhichLimitInPlainWords() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("[".repeat(65) + "]".repeat(65), "the JSON is nested deeper than 64 levels");
        cases.put("{\"n\":" + "1".repeat(101) + "}", "a JSON number is longer than 100 characters");
        cases.put("{\"s\":\"" + "x".repeat((1 << 20) + 1) + "\"}", "a JSON string is longer than 1048576 characters");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            ApiException refused = assertThrows(ApiException.class, () -> json.read(c.getKey().getBytes(StandardCharsets.UTF_8)));
            assertEquals("json_limits", refused.code(), refused.getMessage());
            assertEquals(c.getValue(), refused.getMessage());
            assertFalse(refused.getMessage().contains("StreamReadConstraints"), refused.getMessage());
        }
    }
}
