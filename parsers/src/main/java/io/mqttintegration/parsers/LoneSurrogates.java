package io.mqttintegration.parsers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Finds a lone surrogate in the strings and field names of parsed JSON. Jackson decodes an escape
 * such as {@code \ud800} without its other half (and, from bytes, an encoded surrogate
 * {@code ED A0 80}) into a Java string holding half a character, which UTF-8 cannot carry: stored,
 * it silently becomes {@code ?}. RFC 8259 (section 8.2) leaves such strings' meaning open; we refuse them.
 */
public final class LoneSurrogates {

    private LoneSurrogates() {
    }

    /**
     * Where a lone surrogate is.
     *
     * @param path the JSON path of the string or field name ({@code name}, {@code settings.topics[0]},
     *             {@code [2].payload}); empty for a top-level string. A lone surrogate in a field name
     *             is written in it as the escape {@code \uD800}.
     * @param surrogate the lone surrogate
     * @param index its character index in the string or field name
     * @param inName true when it is in a field name, not in a string value
     */
    public record Found(String path, char surrogate, int index, boolean inName) {

        /** E.g. {@code a lone surrogate (U+D800) at character 5 of name}. */
        public String describe() {
            String of = path.isEmpty() ? "the top-level string" : inName ? "the field name " + path : path;
            return String.format("a lone surrogate (U+%04X) at character %d of %s", (int) surrogate, index, of);
        }

        /** The same place, seen from the object field or array element that holds it. */
        Found under(String segment) {
            String rest = path.isEmpty() || path.startsWith("[") ? path : "." + path;
            return new Found(segment + rest, surrogate, index, inName);
        }
    }

    /** The first lone surrogate in document order, or null when every string is whole Unicode. */
    public static Found find(JsonNode node) {
        if (node.isTextual()) {
            int i = indexOf(node.textValue());
            return i < 0 ? null : new Found("", node.textValue().charAt(i), i, false);
        }
        if (node.isArray()) {
            for (int n = 0; n < node.size(); n++) {
                Found found = find(node.get(n));
                if (found != null) {
                    return found.under("[" + n + "]");
                }
            }
        } else if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String name = field.getKey();
                int i = indexOf(name);
                Found found = i >= 0 ? new Found("", name.charAt(i), i, true) : find(field.getValue());
                if (found != null) {
                    return found.under(escaped(name));
                }
            }
        }
        return null;
    }

    /** The index of the first surrogate that is not half of a pair, or -1. */
    static int indexOf(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** A field name for a path: each lone surrogate as the escape text {@code \uD800}, so the path is Unicode. */
    private static String escaped(String name) {
        StringBuilder out = new StringBuilder(name.length() + 6);
        int i;
        String rest = name;
        while ((i = indexOf(rest)) >= 0) {
            out.append(rest, 0, i).append(String.format("\\u%04X", (int) rest.charAt(i)));
            rest = rest.substring(i + 1);
        }
        return out.append(rest).toString();
    }
}
