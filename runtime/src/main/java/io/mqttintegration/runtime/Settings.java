package io.mqttintegration.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
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

    /**
     * A secret: the value is a reference, so Karaf's config:list (which shows every configuration
     * value) shows where the secret is, never the secret. {@code env:NAME} reads the environment
     * variable, {@code file:PATH} the file (relative to home; trimmed); anything else is taken
     * literally (discouraged: config:list shows it). Null when absent or blank.
     */
    public String secret(String key, Path home) {
        return secret(key, home, System::getenv);
    }

    String secret(String key, Path home, Function<String, String> environment) {
        String v = optional(key);
        if (v == null) {
            return null;
        }
        if (v.startsWith("env:")) {
            String value = environment.apply(v.substring(4).trim());
            return value == null || value.isBlank() ? null : value.trim();
        }
        if (v.startsWith("file:")) {
            Path file = home.resolve(v.substring(5).trim()).normalize();
            try {
                String value = Files.readString(file, StandardCharsets.UTF_8).trim();
                return value.isEmpty() ? null : value;
            } catch (IOException e) {
                throw new IllegalArgumentException("configuration key '" + key + "' names the file " + file
                        + ", which cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        }
        return v;
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
