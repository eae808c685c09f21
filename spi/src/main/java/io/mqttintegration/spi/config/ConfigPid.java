package io.mqttintegration.spi.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A PID's key table: each area's record declares its PID and, one line per key, the key's type,
 * default, range, environment variable and description ({@link ConfigKey}). A default outside its
 * own range fails when the record's class loads, so no test can miss it.
 */
public final class ConfigPid {

    private final String pid;
    private final String description;
    private final List<ConfigKey> keys = new ArrayList<>();

    public ConfigPid(String pid, String description) {
        this.pid = pid;
        this.description = description;
    }

    public String pid() {
        return pid;
    }

    public String description() {
        return description;
    }

    /** In the order they were declared. */
    public List<ConfigKey> keys() {
        return Collections.unmodifiableList(keys);
    }

    public ConfigKey integer(String name, int defaultValue, int min, int max, String description) {
        return integer(name, defaultValue, min, max, description, null);
    }

    public ConfigKey integer(String name, int defaultValue, int min, int max, String description, String env) {
        return add(new ConfigKey(pid, name, ConfigKey.Type.INTEGER, Integer.toString(defaultValue), min, max, env, description));
    }

    public ConfigKey flag(String name, boolean defaultValue, String description) {
        return flag(name, defaultValue, description, null);
    }

    public ConfigKey flag(String name, boolean defaultValue, String description, String env) {
        return add(new ConfigKey(pid, name, ConfigKey.Type.FLAG, Boolean.toString(defaultValue), 0, 0, env, description));
    }

    /** Text that may not be empty, such as a host or a folder. */
    public ConfigKey text(String name, String defaultValue, String description, String env) {
        return add(new ConfigKey(pid, name, ConfigKey.Type.TEXT, defaultValue, 0, 0, env, description));
    }

    /** Text that is empty by default: none. */
    public ConfigKey optional(String name, String description, String env) {
        return add(new ConfigKey(pid, name, ConfigKey.Type.OPTIONAL, "", 0, 0, env, description));
    }

    /** @param reference where the secret is by default ({@code env:NAME}) */
    public ConfigKey secret(String name, String reference, String description) {
        return add(new ConfigKey(pid, name, ConfigKey.Type.SECRET, reference, 0, 0, null, description));
    }

    private ConfigKey add(ConfigKey key) {
        String problem = key.problem(key.defaultValue());
        if (problem != null) {
            throw new IllegalStateException("the default of " + key.name() + " is invalid: " + problem);
        }
        if (keys.stream().anyMatch(k -> k.name().equals(key.name()))) {
            throw new IllegalStateException(key.name() + " is declared twice in " + pid);
        }
        keys.add(key);
        return key;
    }

    @Override
    public String toString() {
        return pid;
    }
}
