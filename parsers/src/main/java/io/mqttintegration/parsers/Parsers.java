package io.mqttintegration.parsers;

import java.util.Set;

/** The built-in parsers by name, each made for an integration's device id pattern. */
public final class Parsers {

    public static final String DEFAULT = "standard";
    public static final Set<String> NAMES = Set.of("standard", "senml", "raw");

    private Parsers() {
    }

    public static PayloadParser create(String name, TopicDeviceId deviceIds) {
        return switch (name == null ? DEFAULT : name) {
            case "standard" -> new StandardJsonParser(deviceIds);
            case "senml" -> new SenmlParser(deviceIds);
            case "raw" -> new RawParser();
            default -> throw new IllegalArgumentException("unknown parser '" + name + "'; known: " + NAMES);
        };
    }
}
