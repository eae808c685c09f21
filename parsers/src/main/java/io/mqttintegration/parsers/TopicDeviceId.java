package io.mqttintegration.parsers;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Optional;

/**
 * Finds the device id in an MQTT topic with a regular expression of one capturing group.
 * The default reads the level after {@code devices}: {@code site/devices/d-17/telemetry} gives {@code d-17}.
 * Patterns come from tenants and run on every message: they are compiled with RE2/J, which matches in
 * time linear in the topic's length (no backtracking, so no pattern can stall the pipeline), and
 * therefore refuses backreferences and lookaround.
 */
public class TopicDeviceId {

    public static final String DEFAULT_PATTERN = "(?:^|/)devices/([^/]+)(?:/|$)";
    /** Longest pattern (regex or {@code {deviceId}} template) an integration may set, in characters. */
    public static final int MAX_PATTERN_LENGTH = 200;

    private static final TopicDeviceId NONE = new TopicDeviceId((Pattern) null);
    /** The default, matched by walking the levels (no regex on every message of most integrations). */
    private static final TopicDeviceId DEFAULT = new TopicDeviceId((Pattern) null) {
        @Override
        public Optional<String> find(String topic) {
            return topic == null ? Optional.empty() : levelAfterDevices(topic);
        }
    };

    private final Pattern pattern;

    /** @throws IllegalArgumentException the pattern is not RE2 syntax, or has not exactly one capturing group */
    public TopicDeviceId(String regex) {
        this(compile(regex));
        if (pattern.groupCount() != 1) {
            throw new IllegalArgumentException("device id pattern needs exactly one capturing group: " + regex);
        }
    }

    private TopicDeviceId(Pattern pattern) {
        this.pattern = pattern;
    }

    private static Pattern compile(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid or not supported (backreferences and lookaround cannot match in"
                    + " linear time): " + e.getDescription(), e);
        }
    }

    /** {@link #DEFAULT_PATTERN}: the first non-empty level that follows a level {@code devices}. */
    public static TopicDeviceId defaultPattern() {
        return DEFAULT;
    }

    /** What {@link #DEFAULT_PATTERN} finds, without a regex. */
    static Optional<String> levelAfterDevices(String topic) {
        int start = 0;
        while (start <= topic.length()) {
            int end = topic.indexOf('/', start);
            if (end < 0) {
                return Optional.empty(); // the last level: nothing follows it
            }
            if (end - start == 7 && topic.startsWith("devices", start)) {
                int next = topic.indexOf('/', end + 1);
                String level = topic.substring(end + 1, next < 0 ? topic.length() : next);
                if (!level.isEmpty()) {
                    return Optional.of(level);
                }
            }
            start = end + 1;
        }
        return Optional.empty();
    }

    /** Finds no device id: stands in for a stored pattern that cannot be compiled. */
    public static TopicDeviceId none() {
        return NONE;
    }

    /**
     * From an integration's {@code deviceIdPattern}: a topic template with one {@code {deviceId}} level
     * ({@code devices/{deviceId}/+}; {@code +} and {@code #} as in MQTT filters), or a regex with one
     * group; null or blank gives the default.
     *
     * @throws IllegalArgumentException longer than {@link #MAX_PATTERN_LENGTH}, or not a pattern RE2 takes
     */
    public static TopicDeviceId of(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            return defaultPattern();
        }
        if (pattern.length() > MAX_PATTERN_LENGTH) {
            throw new IllegalArgumentException("device id pattern is longer than " + MAX_PATTERN_LENGTH + " characters");
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
        if (topic == null || pattern == null) {
            return Optional.empty();
        }
        Matcher m = pattern.matcher(topic);
        return m.find() && m.group(1) != null && !m.group(1).isEmpty() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
