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

    /**
     * From an integration's {@code deviceIdPattern}: a topic template with one {@code {deviceId}} level
     * ({@code devices/{deviceId}/+}; {@code +} and {@code #} as in MQTT filters), or a regex with one
     * group; null or blank gives the default.
     */
    public static TopicDeviceId of(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            return defaultPattern();
        }
        if (!pattern.contains("{deviceId}")) {
            return new TopicDeviceId(pattern);
        }
        StringBuilder regex = new StringBuilder("^");
        String[] levels = pattern.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            regex.append(i == 0 ? "" : "/");
            switch (levels[i]) {
                case "{deviceId}" -> regex.append("([^/]+)");
                case "+" -> regex.append("[^/]*");
                case "#" -> regex.setLength(regex.length() - (i == 0 ? 0 : 1));
                default -> regex.append(Pattern.quote(levels[i]));
            }
            if (levels[i].equals("#")) {
                regex.append(i == 0 ? ".*" : "(?:/.*)?");
            }
        }
        return new TopicDeviceId(regex.append("$").toString());
    }

    public Optional<String> find(String topic) {
        if (topic == null) {
            return Optional.empty();
        }
        Matcher m = pattern.matcher(topic);
        return m.find() && !m.group(1).isEmpty() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
