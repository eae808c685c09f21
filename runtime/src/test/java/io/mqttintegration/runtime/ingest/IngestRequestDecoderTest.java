package io.mqttintegration.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.runtime.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngestRequestDecoderTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private final IngestRequestDecoder decoder = new IngestRequestDecoder(1024, 3, Clock.fixed(NOW, ZoneOffset.UTC));

    private List<IngestItem> decode(String body) {
        return decoder.decode(body.getBytes(StandardCharsets.UTF_8), "application/json; charset=utf-8");
    }

    private ApiException refused(String body) {
        return assertThrows(ApiException.class, () -> decode(body));
    }

    @Test
    void decodesOneMessageAndKeepsThePayloadAsJson() {
        IngestItem m = decode("{\"topic\":\"a/devices/d/t\",\"payload\":{\"v\": 1.50}}").get(0);
        assertEquals("a/devices/d/t", m.topic());
        assertArrayEquals("{\"v\":1.50}".getBytes(StandardCharsets.UTF_8), m.payload(), "exact decimals are kept");
        assertEquals(NOW, m.receivedAt());
        assertEquals(null, m.integrationId());
        assertEquals("application/json", m.contentType());
        IngestItem text = decode("{\"topic\":\"t\",\"payload\":\"d-1,21.5\"}").get(0);
        assertArrayEquals("d-1,21.5".getBytes(StandardCharsets.UTF_8), text.payload(), "a string payload is its text");
        assertEquals("text/plain; charset=utf-8", text.contentType());
    }

    @Test
    void decodesAnArrayUpToTheLimit() {
        assertEquals(3, decode("[{\"topic\":\"a\",\"payload\":1},{\"topic\":\"b\",\"payload\":null},{\"topic\":\"c\",\"payload\":\"s\"}]").size());
        ApiException e = refused("[" + "{\"topic\":\"a\",\"payload\":1},".repeat(3) + "{\"topic\":\"a\",\"payload\":1}]");
        assertEquals(413, e.status());
        assertEquals("too_many_messages", e.code());
    }

    @Test
    void namesTheFieldAtFault() {
        ApiException unknown = refused("[{\"topic\":\"a\",\"payload\":1},{\"topic\":\"a\",\"payload\":1,\"qos\":2}]");
        assertEquals("unknown_field", unknown.code());
        assertEquals("[1].qos", unknown.field());
        assertEquals("topic", refused("{\"topic\":5,\"payload\":1}").field());
        assertEquals("payload", refused("{\"topic\":\"a\"}").field());
    }

    @Test
    void refusesTopicsThatCannotBePublishedTo() {
        for (String topic : List.of("", "a/+/b", "a/#", "a\\u0000b")) {
            ApiException e = refused("{\"topic\":\"" + topic + "\",\"payload\":1}");
            assertEquals("invalid_topic", e.code(), topic);
        }
        IngestRequestDecoder roomy = new IngestRequestDecoder(200_000, 1, Clock.systemUTC());
        String longTopic = "t".repeat(IngestRequestDecoder.MAX_TOPIC_BYTES + 1);
        ApiException e = assertThrows(ApiException.class, () -> roomy.decode(
                ("{\"topic\":\"" + longTopic + "\",\"payload\":1}").getBytes(StandardCharsets.UTF_8), "application/json"));
        assertEquals("invalid_topic", e.code());
    }

    @Test
    void refusesWhatIsNotAJsonBodyOfTheRightSize() {
        assertEquals(415, assertThrows(ApiException.class, () -> decoder.decode(new byte[] {'{', '}'}, "text/plain")).status());
        assertEquals(415, assertThrows(ApiException.class, () -> decoder.decode(new byte[] {'{', '}'}, null)).status());
        assertEquals("empty_body", assertThrows(ApiException.class, () -> decoder.decode(new byte[0], "application/json")).code());
        assertEquals(413, assertThrows(ApiException.class, () -> decoder.decode(new byte[2000], "application/json")).status());
        assertEquals("malformed_json", refused("{\"topic\":\"a\",").code());
        assertEquals("malformed_json", refused("{\"topic\":\"a\",\"payload\":1} trailing").code());
        assertEquals("malformed_json", assertThrows(ApiException.class, () -> decoder.decode(
                new byte[] {'"', (byte) 0xC3, (byte) 0x28, '"'}, "application/json")).code(), "invalid UTF-8");
        assertEquals("json_limits", refused("[".repeat(200)).code());
        assertEquals("invalid_body", refused("42").code());
        assertTrue(io.mqttintegration.runtime.http.JsonRequests.isJson("application/vnd.acme+json"));
    }
}
