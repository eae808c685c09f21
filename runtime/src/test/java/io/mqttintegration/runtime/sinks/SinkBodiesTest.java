package io.mqttintegration.runtime.sinks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.storage.sinks.OutboxEntry;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SinkBodiesTest {

    private static final UUID MESSAGE = UUID.fromString("0190a000-0000-7000-8000-000000000001");
    private static final UUID INTEGRATION = UUID.fromString("0190a000-0000-7000-8000-000000000002");
    private static final OffsetDateTime AT = OffsetDateTime.parse("2026-12-07T10:00:00Z");

    private static OutboxEntry entry(String payload, String contentType, String readings) {
        return new OutboxEntry(7, MESSAGE, AT, "d1", 0, INTEGRATION, "http", "site/d1/t", payload.getBytes(StandardCharsets.UTF_8),
                contentType, readings);
    }

    private static JsonNode json(SinkBodies.Body body) throws Exception {
        return Json.strict().readTree(body.bytes());
    }

    @Test
    void rawIsThePayloadAsItArrived() {
        SinkBodies.Body raw = SinkBodies.render(SinkBodies.Format.RAW, entry("21.5;C", "text/plain", null));
        assertArrayEquals("21.5;C".getBytes(StandardCharsets.UTF_8), raw.bytes());
        assertEquals("text/plain", raw.contentType());
        assertEquals("application/octet-stream", SinkBodies.render(SinkBodies.Format.RAW, entry("x", null, null)).contentType());
    }

    @Test
    void readingsAreTheMessageAndItsStoredReadings() throws Exception {
        JsonNode r = json(SinkBodies.render(SinkBodies.Format.READINGS,
                entry("{}", "application/json", "[{\"deviceId\":\"d1\",\"ts\":\"2026-12-07T09:59:59Z\",\"metrics\":{\"t\":21.5},\"units\":null}]")));
        assertEquals(MESSAGE.toString(), r.path("messageId").asText());
        assertEquals("site/d1/t", r.path("topic").asText());
        assertEquals("2026-12-07T10:00:00Z", r.path("receivedAt").asText());
        assertEquals(21.5, r.path("readings").get(0).path("metrics").path("t").asDouble());
    }

    @Test
    void aCloudEventCarriesJsonAsDataAndAnythingElseAsBase64() throws Exception {
        SinkBodies.Body event = SinkBodies.render(SinkBodies.Format.CLOUDEVENTS, entry("{\"t\":1}", "application/json", null));
        assertEquals("application/cloudevents+json", event.contentType());
        JsonNode e = json(event);
        assertEquals("1.0", e.path("specversion").asText());
        assertEquals(MESSAGE.toString(), e.path("id").asText());
        assertEquals("/integrations/" + INTEGRATION, e.path("source").asText());
        assertEquals("io.mqttintegration.message", e.path("type").asText());
        assertEquals("site/d1/t", e.path("subject").asText());
        assertEquals("2026-12-07T10:00:00Z", e.path("time").asText());
        assertEquals("d1", e.path("mqidevice").asText());
        assertEquals(1, e.path("data").path("t").asInt());
        assertFalse(e.has("data_base64"));

        JsonNode binary = json(SinkBodies.render(SinkBodies.Format.CLOUDEVENTS, entry("21.5;C", "text/plain", null)));
        assertEquals("MjEuNTtD", binary.path("data_base64").asText());
        assertEquals("text/plain", binary.path("datacontenttype").asText());
        assertFalse(binary.has("data"));
    }
}
