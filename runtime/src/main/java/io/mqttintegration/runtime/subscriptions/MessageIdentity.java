package io.mqttintegration.runtime.subscriptions;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.Json;
import java.io.IOException;
import java.util.List;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * Where an integration's messages carry their own id, if they do (integration setting
 * {@code messageIdentity}): an MQTT 5 user property, or a JSON pointer into the payload. The id is
 * stored like an HTTP {@code messageId}: once per integration, so a message the broker delivers
 * again after a crash between the commit and the PUBACK is not stored a second time. A message
 * without it (the property absent, the payload not JSON, the value not a string or number, or
 * longer than {@value #MAX_LENGTH} characters) gets none and is stored at least once.
 */
final class MessageIdentity {

    /** The longest id stored (as for HTTP message ids). */
    static final int MAX_LENGTH = 128;

    /** None: every message is stored, at least once. */
    static final MessageIdentity NONE = new MessageIdentity(null, null);

    private final String userProperty;
    private final JsonPointer pointer;

    private MessageIdentity(String userProperty, JsonPointer pointer) {
        this.userProperty = userProperty;
        this.pointer = pointer;
    }

    /**
     * @param userProperty the name of the MQTT 5 user property, or null
     * @param jsonPointer a JSON pointer (RFC 6901) into the payload, or null; at most one of the two
     */
    static MessageIdentity of(String userProperty, String jsonPointer) {
        if (userProperty != null) {
            return new MessageIdentity(userProperty, null);
        }
        return jsonPointer == null ? NONE : new MessageIdentity(null, JsonPointer.compile(jsonPointer));
    }

    /** The message's id, or null when it carries none. */
    String of(List<UserProperty> properties, byte[] payload) {
        String id = userProperty != null ? property(properties) : pointer != null ? pointed(payload) : null;
        return id == null || id.isEmpty() || id.length() > MAX_LENGTH ? null : id;
    }

    private String property(List<UserProperty> properties) {
        if (properties == null) {
            return null;
        }
        for (UserProperty p : properties) {
            if (userProperty.equals(p.getKey())) {
                return p.getValue();
            }
        }
        return null;
    }

    private String pointed(byte[] payload) {
        try {
            JsonNode value = Json.strict().readTree(payload).at(pointer);
            return value.isTextual() || value.isNumber() ? value.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null; // not JSON: no id, stored at least once
        }
    }
}
