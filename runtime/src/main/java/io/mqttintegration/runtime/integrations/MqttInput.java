package io.mqttintegration.runtime.integrations;

import io.mqttintegration.runtime.http.ApiException;

/**
 * What MQTT 5 forbids in the strings a client sends (section 1.5.4: no U+0000, no surrogate code
 * points, and — "SHOULD NOT", which brokers and Paho enforce by dropping the connection — no control
 * characters U+0001-U+001F and U+007F-U+009F and no non-characters such as U+FFFF), and its
 * reservation of topics that begin with {@code $} ({@code $SYS/...}, {@code $share/...}) for the
 * broker. Checked before anything reaches Paho, so bad input is a 400 naming the field.
 */
public final class MqttInput {

    private MqttInput() {
    }

    /** Why MQTT refuses the string, or null when it may be sent. */
    public static String problem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                cp = Character.toCodePoint(c, s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                return "holds a lone surrogate (U+" + hex(c) + ") at character " + i;
            }
            if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)) {
                return "holds the control character U+" + hex(cp) + " at character " + i;
            }
            if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe) {
                return "holds the non-character U+" + hex(cp) + " at character " + i;
            }
        }
        return null;
    }

    /** A string MQTT carries as is (a content type, a user property's value): 400 invalid_field. */
    public static String checkString(String value, String field) {
        String problem = value == null ? null : problem(value);
        if (problem != null) {
            throw new ApiException(400, "invalid_field", field + " " + problem + ", which MQTT does not allow", field);
        }
        return value;
    }

    /** A topic name to publish to (wildcards, emptiness and length are checked by the caller): 400 invalid_topic. */
    public static String checkTopicName(String topic, String field) {
        String problem = problem(topic);
        if (problem != null) {
            throw new ApiException(400, "invalid_topic", field + " " + problem + ", which MQTT does not allow", field);
        }
        if (topic.startsWith("$")) {
            throw new ApiException(400, "invalid_topic", field + " must not begin with $: MQTT reserves those topics"
                    + " ($SYS/..., $share/...) for the broker", field);
        }
        return topic;
    }

    /** Why a topic filter's characters or its start are refused (+ and # are the caller's), or null. */
    public static String filterProblem(String filter) {
        String problem = problem(filter);
        if (problem != null) {
            return problem + ", which MQTT does not allow";
        }
        return filter.startsWith("$") ? "must not begin with $: MQTT reserves those topics ($SYS/..., $share/...)"
                + " for the broker (a shared subscription is the setting sharedGroup)" : null;
    }

    private static String hex(int cp) {
        return String.format("%04X", cp);
    }
}
