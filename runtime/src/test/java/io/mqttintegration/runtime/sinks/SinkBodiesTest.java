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

    private static final UUID TRANSITION = UUID.fromString("0190a000-0000-7000-8000-000000000003");
    /** As PostgreSQL's jsonb gives it back: its keys in an order of its own. */
    private static final String EVENT = "{\"at\": \"2026-12-07T10:00:00.123456Z\", \"id\": \"" + TRANSITION + "\", \"node\": \"n1\", "
            + "\"type\": \"presence\", \"state\": \"offline\", \"reason\": \"keep_alive_timeout\", \"details\": {\"clientId\": \"c1\"}, "
            + "\"deviceId\": \"d1\", \"integrationId\": \"" + INTEGRATION + "\"}";

    private static OutboxEntry event() {
        return new OutboxEntry(8, TRANSITION, AT, "d1", 0, INTEGRATION, null, null, null, null, null, EVENT);
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

    @Test
    void anEventIsItselfAsRawAndAsReadingsItsKeysInTheContractsOrder() throws Exception {
        for (SinkBodies.Format format : new SinkBodies.Format[] {SinkBodies.Format.RAW, SinkBodies.Format.READINGS}) {
            SinkBodies.Body body = SinkBodies.render(format, event());
            assertEquals("application/json", body.contentType(), format.label());
            assertEquals("{\"type\":\"presence\",\"id\":\"" + TRANSITION + "\",\"integrationId\":\"" + INTEGRATION + "\",\"deviceId\":\"d1\","
                    + "\"state\":\"offline\",\"reason\":\"keep_alive_timeout\",\"at\":\"2026-12-07T10:00:00.123456Z\",\"node\":\"n1\","
                    + "\"details\":{\"clientId\":\"c1\"}}", new String(body.bytes(), StandardCharsets.UTF_8), format.label());
        }
    }

    @Test
    void anEventAsACloudEventIsAPresenceEventOfItsDevice() throws Exception {
        SinkBodies.Body body = SinkBodies.render(SinkBodies.Format.CLOUDEVENTS, event());
        assertEquals("application/cloudevents+json", body.contentType());
        JsonNode e = json(body);
        assertEquals("1.0", e.path("specversion").asText());
        assertEquals(TRANSITION.toString(), e.path("id").asText(), "the transition's id");
        assertEquals("/integrations/" + INTEGRATION, e.path("source").asText(), "as a message's");
        assertEquals("io.mqttintegration.device.presence", e.path("type").asText());
        assertEquals("d1", e.path("subject").asText(), "the device");
        assertEquals("2026-12-07T10:00:00.123456Z", e.path("time").asText(), "when it happened");
        assertEquals("d1", e.path("mqidevice").asText());
        assertEquals("application/json", e.path("datacontenttype").asText());
        assertEquals(Json.strict().readTree(EVENT), e.path("data"), "the event as data");
        assertFalse(e.has("data_base64"));
    }
}
