package io.mqttintegration.runtime.ingest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.storage.InboundMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.camel.Exchange;

/**
 * Reads the body of {@code POST /api/v1/ingest}: one message {@code {"topic", "payload"}} or a JSON
 * array of them. Anything else is refused with a 4xx {@link ApiException} before a byte is queued.
 */
public final class IngestRequestDecoder {

    /** MQTT's limit for a topic name, in UTF-8 bytes. */
    static final int MAX_TOPIC_BYTES = 65_535;
    private static final Set<String> FIELDS = Set.of("topic", "payload");

    private final int maxBodyBytes;
    private final int maxMessages;
    private final Clock clock;

    public IngestRequestDecoder(int maxBodyBytes, int maxMessages, Clock clock) {
        this.maxBodyBytes = maxBodyBytes;
        this.maxMessages = maxMessages;
        this.clock = clock;
    }

    /** Checks the content type before reading the body: a form post has no byte body at all. */
    public List<InboundMessage> decodeRequest(Exchange exchange) {
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        checkContentType(contentType);
        return decode(exchange.getMessage().getBody(byte[].class), contentType);
    }

    public List<InboundMessage> decode(byte[] body, String contentType) {
        checkContentType(contentType);
        if (body == null || body.length == 0) {
            throw new ApiException(400, "empty_body", "the request body is empty; send a message or an array of messages");
        }
        if (body.length > maxBodyBytes) {
            throw new ApiException(413, "body_too_large",
                    "the request body is " + body.length + " bytes; the limit is " + maxBodyBytes);
        }
        JsonNode root = read(body);
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
        List<InboundMessage> messages = new ArrayList<>(root.size());
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

    private static void checkContentType(String contentType) {
        if (!isJson(contentType)) {
            throw new ApiException(415, "unsupported_media_type",
                    "Content-Type must be application/json, got " + (contentType == null ? "none" : contentType));
        }
    }

    private static JsonNode read(byte[] body) {
        try {
            JsonNode root = Json.strict().readTree(body);
            if (root == null || root.isMissingNode()) {
                throw new ApiException(400, "empty_body", "the request body holds no JSON value");
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new ApiException(400, "json_limits", "the JSON exceeds a limit: " + e.getOriginalMessage());
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new ApiException(400, "malformed_json", "the body is not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiException(400, "malformed_json", "the body could not be read as JSON");
        }
    }

    private InboundMessage message(JsonNode node, String path, Instant receivedAt) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new ApiException(400, "unknown_field", "unknown field '" + name + "'; a message has topic and payload",
                        path + name);
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
        byte[] bytes;
        try {
            bytes = Json.strict().writeValueAsBytes(payload);
        } catch (JacksonException e) {
            throw new ApiException(400, "invalid_payload", "payload cannot be written back as JSON", path + "payload");
        }
        return new InboundMessage(InboundMessage.Source.HTTP, topic, bytes, "application/json", receivedAt, null, null);
    }

    /** A topic name to publish to: no wildcards, no NUL, not empty, within MQTT's length limit. */
    static String checkTopic(String topic, String field) {
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

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }
}
