package io.mqttintegration.spi.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A bundle's configuration: what its {@code mqtt.integration.*} PIDs (etc/) set, over the
 * declared keys' defaults ({@link ConfigKey}). A key's value is the PID's when it sets the key, else
 * its environment variable's (when it has one and it is set), else its default; read with its type.
 * The same values are the Camel property placeholders the route files use.
 */
public final class Settings {

    private final Map<String, String> values;
    private final Function<String, String> environment;

    /** @param raw what the PIDs set */
    public Settings(Map<String, ?> raw) {
        this(raw, System::getenv);
    }

    /** @param environment the environment variables (tests give their own) */
    public Settings(Map<String, ?> raw, Function<String, String> environment) {
        Map<String, String> copy = new TreeMap<>();
        raw.forEach((k, v) -> {
            if (v != null) {
                copy.put(k, v.toString().trim());
            }
        });
        this.values = Map.copyOf(copy);
        this.environment = environment;
    }

    /** The value the service uses, unchecked: the PID's, else the environment variable's, else the default. */
    public String value(ConfigKey key) {
        String v = values.get(key.name());
        if (v != null) {
            return v;
        }
        String fromEnv = fromEnvironment(key);
        return fromEnv == null ? key.defaultValue() : fromEnv;
    }

    /** Where {@link #value} comes from: {@code etc}, {@code env NAME} or {@code default}. */
    public String source(ConfigKey key) {
        if (values.containsKey(key.name())) {
            return "etc";
        }
        return fromEnvironment(key) == null ? "default" : "env " + key.env();
    }

    /** The key's environment variable, trimmed, or null when it has none or it is unset or blank. */
    private String fromEnvironment(ConfigKey key) {
        String v = key.env() == null ? null : environment.apply(key.env());
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** The value, checked against the key's declaration: a wrong one throws, naming the key. */
    private String checked(ConfigKey key, ConfigKey.Type type) {
        if (key.type() != type) {
            throw new IllegalStateException(key.name() + " is declared " + key.type() + ", read as " + type);
        }
        String v = value(key);
        String problem = key.problem(v);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return v;
    }

    public int integer(ConfigKey key) {
        return Integer.parseInt(checked(key, ConfigKey.Type.INTEGER));
    }

    public boolean flag(ConfigKey key) {
        return Boolean.parseBoolean(checked(key, ConfigKey.Type.FLAG));
    }

    public String text(ConfigKey key) {
        return checked(key, ConfigKey.Type.TEXT);
    }

    /** The value, or null when it is empty. */
    public String optional(ConfigKey key) {
        String v = checked(key, ConfigKey.Type.OPTIONAL);
        return v.isEmpty() ? null : v;
    }

    /** The secret the key's reference names (see {@link #reference}), or null. */
    public String secret(ConfigKey key, Path home) {
        return reference(key.name(), checked(key, ConfigKey.Type.SECRET), home, environment);
    }

    /**
     * A secret: the value is a reference, so Karaf's config:list (which shows every configuration
     * value) shows where the secret is, never the secret. {@code env:NAME} reads the environment
     * variable, {@code file:PATH} the file (relative to home; trimmed); anything else is taken
     * literally (discouraged: config:list shows it). Null when empty.
     */
    private static String reference(String key, String v, Path home, Function<String, String> environment) {
        if (v.isEmpty()) {
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

    /**
     * The route files' property placeholders ({{http.port}} ...): everything the PIDs set, and every
     * key of {@code pids} with the value in force, so a placeholder resolves to its default when etc/
     * does not set it.
     */
    public Properties asProperties(List<ConfigPid> pids) {
        Properties p = new Properties();
        p.putAll(values);
        for (ConfigPid pid : pids) {
            for (ConfigKey key : pid.keys()) {
                p.put(key.name(), value(key));
            }
        }
        return p;
    }

    /**
     * One line per PID for the log: each key with the value the service uses, and where it comes
     * from when not from the default. A secret key shows its reference; a literal secret is masked.
     */
    public List<String> describe(List<ConfigPid> pids) {
        return pids.stream().map(pid -> {
            StringJoiner line = new StringJoiner(", ", pid.pid() + ": ", "");
            for (ConfigKey key : pid.keys()) {
                String v = value(key);
                boolean literalSecret = key.type() == ConfigKey.Type.SECRET && !v.isEmpty() && !v.startsWith("env:")
                        && !v.startsWith("file:");
                String source = source(key);
                line.add(key.name() + "=" + (literalSecret ? "********" : v) + (source.equals("default") ? "" : " (" + source + ")"));
            }
            return line.toString();
        }).toList();
    }

    /**
     * Keys the PIDs set that are not declared although they start like the service's keys
     * ({@code http.}, {@code ingest.}, ...): most likely typos, which would silently leave the
     * default in force.
     */
    public List<String> undeclared(List<ConfigPid> pids) {
        Set<String> declared = new TreeSet<>();
        Set<String> prefixes = new TreeSet<>();
        for (ConfigPid pid : pids) {
            for (ConfigKey key : pid.keys()) {
                declared.add(key.name());
                prefixes.add(key.name().substring(0, key.name().indexOf('.') + 1));
            }
        }
        return values.keySet().stream().filter(k -> !declared.contains(k) && prefixes.stream().anyMatch(k::startsWith)).toList();
    }

    public Settings with(String key, Object value) {
        Map<String, Object> copy = new TreeMap<>(values);
        copy.put(key, value);
        return new Settings(copy, environment);
    }
}
