package io.mqttintegration.runtime.ingest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.http.JsonRequests;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.Exchange;

/**
 * Reads the body of {@code POST /api/v1/ingest}: one message {@code {"topic", "payload",
 * "integrationId"?}} or a JSON array of them. Anything else is refused with a 4xx
 * {@link ApiException} before a byte is queued.
 */
public final class IngestRequestDecoder {

    /** MQTT's limit for a topic name, in UTF-8 bytes. */
    static final int MAX_TOPIC_BYTES = 65_535;
    private static final Set<String> FIELDS = Set.of("topic", "payload", "integrationId", "messageId");

    private final JsonRequests json;
    private final int maxMessages;
    private final Clock clock;

    public IngestRequestDecoder(int maxBodyBytes, int maxMessages, Clock clock) {
        this.json = new JsonRequests(maxBodyBytes);
        this.maxMessages = maxMessages;
        this.clock = clock;
    }

    /** Checks the content type before reading the body: a form post has no byte body at all. */
    public List<IngestItem> decodeRequest(Exchange exchange) {
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        JsonRequests.checkContentType(contentType);
        return decode(exchange.getMessage().getBody(byte[].class), contentType);
    }

    public List<IngestItem> decode(byte[] body, String contentType) {
        JsonRequests.checkContentType(contentType);
        JsonNode root = json.read(body);
        Instant receivedAt = clock.instant();
        if (root.isObject()) {
            return List.of(message(root, "", receivedAt));
        }
        if (!root.isArray()) {
            throw new ApiException(400, "invalid_body",
                    "the body must be a message object or an array of them, got " + root.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        if (root.isEmpty()) {
            throw new ApiException(400, "empty_batch", "the array holds no message");
        }
        if (root.size() > maxMessages) {
            throw new ApiException(413, "too_many_messages",
                    "the array holds " + root.size() + " messages; the limit is " + maxMessages);
        }
        List<IngestItem> messages = new ArrayList<>(root.size());
        for (int i = 0; i < root.size(); i++) {
            JsonNode element = root.get(i);
            String path = "[" + i + "]";
            if (!element.isObject()) {
                throw new ApiException(400, "invalid_message", "each array element must be a message object", path);
            }
            messages.add(message(element, path + ".", receivedAt));
        }
        return messages;
    }

    private static IngestItem message(JsonNode node, String path, Instant receivedAt) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new ApiException(400, "unknown_field",
                        "unknown field '" + name + "'; a message has topic, payload and optionally integrationId and messageId", path + name);
            }
        }
        JsonNode topicNode = node.get("topic");
        if (topicNode == null || topicNode.isNull()) {
            throw new ApiException(400, "missing_field", "topic is required", path + "topic");
        }
        if (!topicNode.isTextual()) {
            throw new ApiException(400, "invalid_topic", "topic must be a string", path + "topic");
        }
        String topic = checkTopic(topicNode.textValue(), path + "topic");
        JsonNode payload = node.get("payload");
        if (payload == null) {
            throw new ApiException(400, "missing_field", "payload is required (any JSON value)", path + "payload");
        }
        // A JSON string is the payload's text as is (a CSV line, a device's own format); any other
        // JSON value is the payload as JSON.
        byte[] bytes;
        String contentType = payload.isTextual() ? "text/plain; charset=utf-8" : "application/json";
        try {
            bytes = payload.isTextual() ? payload.textValue().getBytes(StandardCharsets.UTF_8)
                    : Json.strict().writeValueAsBytes(payload);
        } catch (JacksonException e) {
            throw new ApiException(400, "invalid_payload", "payload cannot be written back as JSON", path + "payload");
        }
        return new IngestItem(topic, bytes, contentType, integrationId(node.get("integrationId"), path + "integrationId"),
                messageId(node.get("messageId"), path + "messageId"), receivedAt, path);
    }

    /** A sender's message id: 1 to 128 printable characters (no control characters). */
    private static String messageId(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.textValue().isEmpty() || node.textValue().length() > 128
                || node.textValue().chars().anyMatch(Character::isISOControl)) {
            throw new ApiException(400, "invalid_field", "messageId must be a string of 1 to 128 printable characters", field);
        }
        return node.textValue();
    }

    private static UUID integrationId(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            if (node.isTextual()) {
                return UUID.fromString(node.textValue());
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw new ApiException(400, "invalid_field", "integrationId must be a UUID string", field);
    }

    /** A topic name to publish to: no wildcards, no NUL, not empty, within MQTT's length limit. */
    public static String checkTopic(String topic, String field) {
        if (topic.isEmpty()) {
            throw new ApiException(400, "invalid_topic", "topic must not be empty", field);
        }
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            throw new ApiException(400, "invalid_topic", "topic must not contain the wildcards + or #", field);
        }
        if (topic.indexOf('\u0000') >= 0) {
            throw new ApiException(400, "invalid_topic", "topic must not contain NUL", field);
        }
        if (topic.getBytes(StandardCharsets.UTF_8).length > MAX_TOPIC_BYTES) {
            throw new ApiException(400, "invalid_topic", "topic is longer than " + MAX_TOPIC_BYTES + " bytes", field);
        }
        return topic;
    }
}
