package io.mqttintegration.spi.config;

import java.io.InputStream;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeProvider;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The OSGi metatype of our PIDs, made from their key declarations ({@link ConfigPid}) rather than
 * written twice in annotations: Karaf's {@code config:meta <pid>} lists each key with its type,
 * default and description, and a value can be checked against the key's range before it is saved.
 */
public final class ConfigMetaTypeProvider implements MetaTypeProvider {

    private final List<ConfigPid> pids;

    public ConfigMetaTypeProvider(List<ConfigPid> pids) {
        this.pids = List.copyOf(pids);
    }

    /**
     * Registers the metatype of {@code pids} for Karaf's MetaType service (Felix MetaType, part of
     * Karaf's framework); the {@code metatype.pid} property is computed from the key tables, so a new
     * PID needs no edit where it is registered. Each bundle registers its own PIDs.
     */
    public static ServiceRegistration<MetaTypeProvider> register(BundleContext context, List<ConfigPid> pids) {
        ConfigMetaTypeProvider provider = new ConfigMetaTypeProvider(pids);
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(MetaTypeProvider.METATYPE_PID, provider.pids());
        return context.registerService(MetaTypeProvider.class, provider, properties);
    }

    /** The PIDs described, for the service property {@code metatype.pid}. */
    public String[] pids() {
        return pids.stream().map(ConfigPid::pid).toArray(String[]::new);
    }

    @Override
    public ObjectClassDefinition getObjectClassDefinition(String id, String locale) {
        return pids.stream().filter(p -> p.pid().equals(id)).findFirst().map(PidDefinition::new).orElse(null);
    }

    @Override
    public String[] getLocales() {
        return null;
    }

    /** One PID: every key is optional, since each has a default. */
    record PidDefinition(ConfigPid pid) implements ObjectClassDefinition {

        @Override
        public String getName() {
            return pid.pid();
        }

        @Override
        public String getID() {
            return pid.pid();
        }

        @Override
        public String getDescription() {
            return pid.description();
        }

        @Override
        public AttributeDefinition[] getAttributeDefinitions(int filter) {
            return filter == REQUIRED ? null : pid.keys().stream().map(KeyDefinition::new).toArray(AttributeDefinition[]::new);
        }

        @Override
        public InputStream getIcon(int size) {
            return null;
        }
    }

    /** One key: its default, its type, and its range as the check of a value. */
    record KeyDefinition(ConfigKey key) implements AttributeDefinition {

        @Override
        public String getName() {
            return key.name();
        }

        @Override
        public String getID() {
            return key.name();
        }

        @Override
        public String getDescription() {
            String range = key.type() == ConfigKey.Type.INTEGER ? " (" + key.min() + " to " + key.max() + ")" : "";
            return key.description() + range + (key.env() == null ? "" : "; default overridden by the environment variable " + key.env());
        }

        @Override
        public int getCardinality() {
            return 0;
        }

        @Override
        public int getType() {
            return switch (key.type()) {
                case INTEGER -> AttributeDefinition.INTEGER;
                case FLAG -> AttributeDefinition.BOOLEAN;
                default -> AttributeDefinition.STRING;
            };
        }

        @Override
        public String[] getOptionValues() {
            return null;
        }

        @Override
        public String[] getOptionLabels() {
            return null;
        }

        /** "" when valid, else why not (naming the key), as the metatype specification asks. */
        @Override
        public String validate(String value) {
            String problem = key.problem(value == null ? "" : value);
            return problem == null ? "" : problem;
        }

        @Override
        public String[] getDefaultValue() {
            return new String[] {key.defaultValue()};
        }
    }
}
