package io.mqttintegration.runtime;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The service's configuration: the keys of the {@code mqtt.integration.*} PIDs (see etc/), read with
 * their types. The same keys are the Camel property placeholders the route files use.
 */
public final class Settings {

    private final Map<String, String> values;

    public Settings(Map<String, ?> raw) {
        Map<String, String> copy = new TreeMap<>();
        raw.forEach((k, v) -> {
            if (v != null) {
                copy.put(k, v.toString().trim());
            }
        });
        this.values = Map.copyOf(copy);
    }

    public String text(String key) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("configuration key '" + key + "' is missing (see etc/mqtt.integration.*.cfg)");
        }
        return v;
    }

    /** The value, or null when the key is absent or blank. */
    public String optional(String key) {
        String v = values.get(key);
        return v == null || v.isEmpty() ? null : v;
    }

    public int integer(String key, int min, int max) {
        String v = text(key);
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(
                        "configuration key '" + key + "' is " + n + "; it must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration key '" + key + "' is not a whole number: " + v);
        }
    }

    public boolean flag(String key) {
        String v = text(key);
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("configuration key '" + key + "' must be true or false: " + v);
        }
        return Boolean.parseBoolean(v);
    }

    /** Everything, as Camel property placeholders ({{http.port}} ...). */
    public Properties asProperties() {
        Properties p = new Properties();
        p.putAll(values);
        return p;
    }

    public Settings with(String key, Object value) {
        Map<String, Object> copy = new TreeMap<>(values);
        copy.put(key, value);
        return new Settings(copy);
    }
}
