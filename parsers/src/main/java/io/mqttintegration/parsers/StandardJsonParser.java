package io.mqttintegration.parsers;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code standard} parser: a JSON object, or an array of them, each giving one reading.
 * <ul>
 *   <li>device id: {@code deviceId}, {@code device_id} or {@code id}; else from the topic;</li>
 *   <li>timestamp: {@code ts}, {@code timestamp} or {@code time} (see {@link Timestamps}); else the receive time;</li>
 *   <li>metrics: the {@code metrics} object's scalar fields; else the top-level numbers and booleans.</li>
 * </ul>
 */
public final class StandardJsonParser implements PayloadParser {

    private static final List<String> ID_FIELDS = List.of("deviceId", "device_id", "id");
    private static final List<String> TIME_FIELDS = List.of("ts", "timestamp", "time");
    private static final Set<String> RESERVED = Set.of("deviceId", "device_id", "id", "ts", "timestamp", "time", "metrics");
    static final int MAX_ID_LENGTH = 256;

    private final TopicDeviceId topicDeviceId;

    public StandardJsonParser(TopicDeviceId topicDeviceId) {
        this.topicDeviceId = topicDeviceId;
    }

    @Override
    public String name() {
        return "standard";
    }

    @Override
    public List<Reading> parse(String topic, byte[] payload, String contentType, Instant receivedAt) {
        JsonNode root = Json.readPayload(payload);
        if (root.isObject()) {
            return readingOf(root, topic, receivedAt).map(List::of).orElse(List.of());
        }
        if (root.isArray()) {
            List<Reading> readings = new ArrayList<>(root.size());
            int index = 0;
            for (JsonNode element : root) {
                if (!element.isObject()) {
                    throw new PayloadParseException("payload array element " + index + " is not an object");
                }
                readingOf(element, topic, receivedAt).ifPresent(readings::add);
                index++;
            }
            return readings;
        }
        throw new PayloadParseException("payload must be a JSON object or an array of objects, got "
                + root.getNodeType());
    }

    private Optional<Reading> readingOf(JsonNode object, String topic, Instant receivedAt) {
        Map<String, Object> metrics = metricsOf(object);
        if (metrics.isEmpty()) {
            return Optional.empty();
        }
        String deviceId = deviceIdOf(object, topic);
        Instant timestamp = receivedAt;
        JsonNode time = firstPresent(object, TIME_FIELDS);
        if (time != null) {
            timestamp = Timestamps.parse(time);
        }
        return Optional.of(new Reading(deviceId, timestamp, metrics));
    }

    private String deviceIdOf(JsonNode object, String topic) {
        JsonNode id = firstPresent(object, ID_FIELDS);
        if (id != null) {
            if (!(id.isTextual() || id.isIntegralNumber())) {
                throw new PayloadParseException("device id must be a string or an integer");
            }
            return checkedText("device id", id.asText());
        }
        return topicDeviceId.find(topic)
                .map(value -> checkedText("device id", value))
                .orElseThrow(() -> new PayloadParseException(
                        "no device id: none of " + ID_FIELDS + " in the payload, and none in topic"));
    }

    private static Map<String, Object> metricsOf(JsonNode object) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        JsonNode nested = object.get("metrics");
        if (nested != null && !nested.isNull()) {
            if (!nested.isObject()) {
                throw new PayloadParseException("metrics must be an object");
            }
            nested.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue();
                if (v.isNumber() || v.isBoolean()) {
                    metrics.put(checkedText("metric name", e.getKey()), scalar(v));
                } else if (v.isTextual()) {
                    metrics.put(checkedText("metric name", e.getKey()), checkedText("metric value", v.asText()));
                }
            });
            return metrics;
        }
        object.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (!RESERVED.contains(e.getKey()) && (v.isNumber() || v.isBoolean())) {
                metrics.put(checkedText("metric name", e.getKey()), scalar(v));
            }
        });
        return metrics;
    }

    private static Object scalar(JsonNode v) {
        return v.isBoolean() ? (Object) v.booleanValue() : v.numberValue();
    }

    private static JsonNode firstPresent(JsonNode object, List<String> names) {
        for (String name : names) {
            JsonNode node = object.get(name);
            if (node != null && !node.isNull()) {
                return node;
            }
        }
        return null;
    }

    /** PostgreSQL text and jsonb refuse NUL; an id longer than a topic level is a bug, not an id. */
    private static String checkedText(String what, String value) {
        if (value.indexOf('\u0000') >= 0) {
            throw new PayloadParseException(what + " contains a NUL character");
        }
        if (what.equals("device id") && (value.isBlank() || value.length() > MAX_ID_LENGTH)) {
            throw new PayloadParseException("device id must be 1 to " + MAX_ID_LENGTH + " characters");
        }
        return value;
    }
}
