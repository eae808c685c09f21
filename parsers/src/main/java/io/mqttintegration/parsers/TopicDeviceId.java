package io.mqttintegration.parsers;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the device id in an MQTT topic with a regular expression of one capturing group.
 * The default reads the level after {@code devices}: {@code site/devices/d-17/telemetry} gives {@code d-17}.
 */
public final class TopicDeviceId {

    public static final String DEFAULT_PATTERN = "(?:^|/)devices/([^/]+)(?:/|$)";

    private final Pattern pattern;

    public TopicDeviceId(String regex) {
        this.pattern = Pattern.compile(regex);
        if (pattern.matcher("").groupCount() != 1) {
            throw new IllegalArgumentException("device id pattern needs exactly one capturing group: " + regex);
        }
    }

    public static TopicDeviceId defaultPattern() {
        return new TopicDeviceId(DEFAULT_PATTERN);
    }

    public Optional<String> find(String topic) {
        if (topic == null) {
            return Optional.empty();
        }
        Matcher m = pattern.matcher(topic);
        return m.find() && !m.group(1).isEmpty() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
