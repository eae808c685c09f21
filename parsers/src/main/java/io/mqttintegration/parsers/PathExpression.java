package io.mqttintegration.parsers;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A small, documented subset of JSONPath for parser files: {@code $} is the payload, {@code @} the
 * current item; then {@code .name}, {@code ['name']}, {@code [n]} (negative counts from the end) and
 * {@code [*]} (every element or field value). No filters or scripts: nothing in a parser file runs code.
 */
public final class PathExpression {

    private sealed interface Step permits Field, Index, All {
    }

    private record Field(String name) implements Step {
    }

    private record Index(int index) implements Step {
    }

    private record All() implements Step {
    }

    private final String text;
    private final boolean relative;
    private final List<Step> steps;

    private PathExpression(String text, boolean relative, List<Step> steps) {
        this.text = text;
        this.relative = relative;
        this.steps = steps;
    }

    /** Parses an expression; an {@link IllegalArgumentException} says what is wrong and where. */
    public static PathExpression parse(String text) {
        if (text == null || text.isEmpty() || (text.charAt(0) != '$' && text.charAt(0) != '@')) {
            throw new IllegalArgumentException("a path starts with $ (the payload) or @ (the current item): " + text);
        }
        List<Step> steps = new ArrayList<>();
        int i = 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < text.length() && text.charAt(end) != '.' && text.charAt(end) != '[') {
                    end++;
                }
                String name = text.substring(i + 1, end);
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("empty field name at position " + (i + 1) + " of " + text);
                }
                steps.add(name.equals("*") ? new All() : new Field(name));
                i = end;
            } else if (c == '[') {
                int end = text.indexOf(']', i);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed [ at position " + (i + 1) + " of " + text);
                }
                String inside = text.substring(i + 1, end).trim();
                if (inside.equals("*")) {
                    steps.add(new All());
                } else if (inside.length() >= 2 && (inside.startsWith("'") && inside.endsWith("'")
                        || inside.startsWith("\"") && inside.endsWith("\""))) {
                    steps.add(new Field(inside.substring(1, inside.length() - 1)));
                } else {
                    try {
                        steps.add(new Index(Integer.parseInt(inside)));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("[" + inside + "] at position " + (i + 1) + " of " + text
                                + " is not an index, * or a quoted name (filters are not supported)");
                    }
                }
                i = end + 1;
            } else {
                throw new IllegalArgumentException("unexpected '" + c + "' at position " + (i + 1) + " of " + text);
            }
        }
        return new PathExpression(text, text.charAt(0) == '@', List.copyOf(steps));
    }

    /** Every node the path reaches, from the payload root or the current item. */
    public List<JsonNode> select(JsonNode root, JsonNode item) {
        List<JsonNode> current = new ArrayList<>(List.of(relative ? item : root));
        for (Step step : steps) {
            List<JsonNode> next = new ArrayList<>();
            for (JsonNode node : current) {
                if (step instanceof Field f) {
                    JsonNode child = node.get(f.name());
                    if (child != null && !child.isNull()) {
                        next.add(child);
                    }
                } else if (step instanceof Index ix) {
                    if (node.isArray()) {
                        int index = ix.index() < 0 ? node.size() + ix.index() : ix.index();
                        if (index >= 0 && index < node.size()) {
                            next.add(node.get(index));
                        }
                    }
                } else if (node.isArray() || node.isObject()) {
                    node.elements().forEachRemaining(next::add);
                }
            }
            current = next;
        }
        return current;
    }

    /** The one node the path reaches, or null. */
    public JsonNode first(JsonNode root, JsonNode item) {
        List<JsonNode> nodes = select(root, item);
        return nodes.isEmpty() ? null : nodes.get(0);
    }

    @Override
    public String toString() {
        return text;
    }
}
