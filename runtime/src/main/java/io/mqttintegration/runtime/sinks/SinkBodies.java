package io.mqttintegration.runtime.sinks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.storage.sinks.OutboxEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * What a sink's receiver gets for one stored message (or one device presence event), by the sink's {@code body}:
 * <ul>
 * <li>{@code raw}: the payload as it arrived, with its content type (or {@code application/octet-stream});</li>
 * <li>{@code readings}: {@code {"messageId","integrationId","topic","deviceId","receivedAt","readings":[{"deviceId","ts","metrics","units"}]}},
 * the readings as parsed and stored;</li>
 * <li>{@code cloudevents}: a CloudEvents 1.0 event in structured JSON mode ({@code application/cloudevents+json}):
 * {@code id} the message id, {@code source} {@code /integrations/<id>}, {@code type}
 * {@code io.mqttintegration.message}, {@code subject} the topic, {@code time} when it was received, the
 * payload as {@code data} when it is JSON, else as {@code data_base64}, and the extension
 * {@code mqidevice} (the device, when known).</li>
 * </ul>
 * A presence event ({@link OutboxEntry#event()}) is the event itself, {@code {"type":"presence","id","integrationId",
 * "deviceId","state","reason","at","node","details"}}, for {@code raw} and {@code readings} alike; as a CloudEvent,
 * type {@value #PRESENCE_TYPE}, {@code id} the transition's, {@code subject} the device, {@code time} the
 * transition's, the event as {@code data}.
 */
public final class SinkBodies {

    /** A rendered body and its content type. */
    public record Body(byte[] bytes, String contentType) {
    }

    public enum Format {
        RAW, READINGS, CLOUDEVENTS;

        public static Format of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String CLOUDEVENT_TYPE = "io.mqttintegration.message";
    /** A device presence event's CloudEvents type. */
    public static final String PRESENCE_TYPE = "io.mqttintegration.device.presence";
    /** The event's keys in the order of the contract (PostgreSQL's jsonb keeps them in an order of its own). */
    private static final List<String> EVENT_KEYS = List.of("type", "id", "integrationId", "deviceId", "state", "reason", "at", "node",
            "details");

    private SinkBodies() {
    }

    public static Body render(Format format, OutboxEntry m) {
        if (m.event()) {
            ObjectNode event = event(m);
            return format == Format.CLOUDEVENTS ? new Body(json(presenceEvent(m, event)), "application/cloudevents+json")
                    : new Body(json(event), "application/json");
        }
        return switch (format) {
            case RAW -> new Body(m.payload(), m.contentType() == null ? "application/octet-stream" : m.contentType());
            case READINGS -> new Body(json(readings(m)), "application/json");
            case CLOUDEVENTS -> new Body(json(cloudEvent(m)), "application/cloudevents+json");
        };
    }

    private static ObjectNode readings(OutboxEntry m) {
        ObjectNode o = Json.strict().createObjectNode();
        o.put("messageId", m.messageId().toString());
        o.put("integrationId", m.integrationId().toString());
        o.put("topic", m.topic());
        o.put("deviceId", m.deviceId());
        o.put("receivedAt", m.receivedAt().toInstant().toString());
        o.set("readings", m.readingsJson() == null ? Json.strict().createArrayNode() : parse(m.readingsJson()));
        return o;
    }

    private static ObjectNode cloudEvent(OutboxEntry m) {
        ObjectNode e = Json.strict().createObjectNode();
        e.put("specversion", "1.0");
        e.put("id", m.messageId().toString());
        e.put("source", "/integrations/" + m.integrationId());
        e.put("type", CLOUDEVENT_TYPE);
        e.put("subject", m.topic());
        e.put("time", m.receivedAt().toInstant().toString());
        if (m.deviceId() != null) {
            e.put("mqidevice", m.deviceId());
        }
        JsonNode data = jsonOrNull(m.payload());
        if (data != null) {
            e.put("datacontenttype", "application/json");
            e.set("data", data);
        } else {
            if (m.contentType() != null) {
                e.put("datacontenttype", m.contentType());
            }
            e.put("data_base64", Base64.getEncoder().encodeToString(m.payload()));
        }
        return e;
    }

    private static ObjectNode event(OutboxEntry m) {
        return event(m.eventJson());
    }

    /** An event as written (JSON), its keys in the contract's order (any others after them), as receivers and the API show it. */
    public static ObjectNode event(String eventJson) {
        JsonNode stored = parse(eventJson);
        ObjectNode event = Json.strict().createObjectNode();
        for (String key : EVENT_KEYS) {
            if (stored.has(key)) {
                event.set(key, stored.get(key));
            }
        }
        stored.fields().forEachRemaining(f -> {
            if (!event.has(f.getKey())) {
                event.set(f.getKey(), f.getValue());
            }
        });
        return event;
    }

    private static ObjectNode presenceEvent(OutboxEntry m, ObjectNode event) {
        ObjectNode e = Json.strict().createObjectNode();
        e.put("specversion", "1.0");
        e.put("id", m.messageId().toString());
        e.put("source", "/integrations/" + m.integrationId());
        e.put("type", PRESENCE_TYPE);
        e.put("subject", m.deviceId());
        e.put("time", event.path("at").isTextual() ? event.path("at").textValue() : m.receivedAt().toInstant().toString());
        if (m.deviceId() != null) {
            e.put("mqidevice", m.deviceId());
        }
        e.put("datacontenttype", "application/json");
        e.set("data", event);
        return e;
    }

    private static JsonNode jsonOrNull(byte[] payload) {
        try {
            return Json.strict().readTree(payload);
        } catch (IOException notJson) {
            return null;
        }
    }

    private static JsonNode parse(String json) {
        try {
            return Json.strict().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] json(JsonNode node) {
        try {
            return Json.strict().writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
