package io.mqttintegration.runtime.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;

/** Reading request objects field by field; every refusal names the field (no mass assignment). */
public final class Fields {

    private Fields() {
    }

    public static JsonNode object(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new ApiException(400, "invalid_field", (path.isEmpty() ? "the body" : path) + " must be a JSON object",
                    path.isEmpty() ? null : path);
        }
        return node;
    }

    public static void onlyKnown(JsonNode object, Set<String> known, String prefix) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new ApiException(400, "unknown_field", "unknown field '" + prefix + name + "'", prefix + name);
            }
        }
    }

    public static String text(JsonNode object, String name, String path, int maxLength, boolean required) {
        JsonNode v = object.get(name);
        if (v == null || v.isNull()) {
            if (required) {
                throw new ApiException(400, "missing_field", path + " is required", path);
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new ApiException(400, "invalid_field", path + " must be a string", path);
        }
        String s = v.textValue();
        if (required && s.isBlank()) {
            throw new ApiException(400, "invalid_field", path + " must not be blank", path);
        }
        if (s.length() > maxLength) {
            throw new ApiException(400, "invalid_field", path + " is longer than " + maxLength + " characters", path);
        }
        if (s.indexOf('\u0000') >= 0) {
            throw new ApiException(400, "invalid_field", path + " must not contain NUL", path);
        }
        return s;
    }

    public static Long integer(JsonNode object, String name, String path, long min, long max) {
        JsonNode v = object.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw new ApiException(400, "invalid_field", path + " must be a whole number from " + min + " to " + max, path);
        }
        return v.longValue();
    }

    public static Boolean bool(JsonNode object, String name, String path) {
        JsonNode v = object.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new ApiException(400, "invalid_field", path + " must be true or false", path);
        }
        return v.booleanValue();
    }

    public static UUID uuid(JsonNode object, String name, String path) {
        String s = text(object, name, path, 36, false);
        return s == null ? null : uuid(s, path);
    }

    /** An id from a path or query; a malformed one is simply not found. */
    public static UUID pathId(String value, String what) {
        try {
            return value == null ? null : UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound(what);
        }
    }

    public static UUID uuid(String value, String path) {
        try {
            UUID id = UUID.fromString(value);
            if (!id.toString().equalsIgnoreCase(value)) {
                throw new IllegalArgumentException();
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "invalid_field", path + " must be a UUID", path);
        }
    }

    /** A limit query parameter: absent gives the default, anything outside 1..max is refused. */
    public static int limit(String value, int defaultLimit, int max) {
        if (value == null || value.isEmpty()) {
            return defaultLimit;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new ApiException(400, "invalid_parameter", "limit must be a whole number from 1 to " + max, "limit");
    }
}
