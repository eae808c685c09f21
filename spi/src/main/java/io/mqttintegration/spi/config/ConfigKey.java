package io.mqttintegration.spi.config;

/**
 * One configuration key, declared once, in its area's record: the single place of its default,
 * range and meaning. An upgraded node whose etc/*.cfg predates a key runs with its default, so no
 * operator has to merge new keys into old files. The shipped etc/*.cfg list the same keys commented
 * out, and Karaf's {@code config:meta <pid>} shows them (the metatype is made from these declarations).
 *
 * @param pid          the PID the key belongs to
 * @param env          the environment variable that overrides the default when the PID does not
 *                     set the key, or null
 * @param defaultValue the value when neither the PID nor {@code env} gives one ("" for none)
 * @param min          for {@link Type#INTEGER}: the smallest value allowed
 * @param max          for {@link Type#INTEGER}: the largest value allowed
 * @param description  one line: what the key decides
 */
public record ConfigKey(String pid, String name, Type type, String defaultValue, int min, int max, String env,
        String description) {

    /** How a value is read and checked. */
    public enum Type {
        /** A whole number from min to max. */
        INTEGER,
        /** true or false. */
        FLAG,
        /** Text that may not be empty. */
        TEXT,
        /** Text; empty means none. */
        OPTIONAL,
        /** Where a secret is ({@code env:NAME}, {@code file:PATH}), never the secret; empty means none. */
        SECRET
    }

    /**
     * Null when {@code value} (trimmed) is valid for this key, else why not, naming the key: the
     * message the service's start stops with.
     */
    public String problem(String value) {
        String v = value.trim();
        switch (type) {
            case INTEGER -> {
                try {
                    int n = Integer.parseInt(v);
                    return n < min || n > max
                            ? "configuration key '" + name + "' is " + n + "; it must be between " + min + " and " + max
                            : null;
                } catch (NumberFormatException e) {
                    return "configuration key '" + name + "' is not a whole number: " + v;
                }
            }
            case FLAG -> {
                return v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false") ? null
                        : "configuration key '" + name + "' must be true or false: " + v;
            }
            case TEXT -> {
                return v.isEmpty() ? "configuration key '" + name + "' is empty; remove it (or comment it out) for the default "
                        + defaultValue : null;
            }
            default -> {
                return null;
            }
        }
    }
}
