package io.mqttintegration.parsers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopicDeviceIdTest {

    private final TopicDeviceId standard = TopicDeviceId.defaultPattern();

    @Test
    void findsTheLevelAfterDevices() {
        assertEquals(Optional.of("d-17"), standard.find("acme/devices/d-17/telemetry"));
        assertEquals(Optional.of("d-17"), standard.find("devices/d-17"));
    }

    @Test
    void findsNothingWithoutADevicesLevel() {
        assertEquals(Optional.empty(), standard.find("acme/sensors/d-17"));
        assertEquals(Optional.empty(), standard.find("mydevices/d-17/x"), "'devices' must be a whole level");
        assertEquals(Optional.empty(), standard.find("devices//x"));
    }

    @Test
    void customPatternNeedsOneGroup() {
        assertEquals(Optional.of("7"), new TopicDeviceId("^plant/(\\d+)/").find("plant/7/temp"));
        assertThrows(IllegalArgumentException.class, () -> new TopicDeviceId("plant/\\d+"));
    }

    @Test
    void templatesNameTheDeviceLevel() {
        assertEquals(Optional.of("d-7"), TopicDeviceId.of("devices/{deviceId}/+").find("devices/d-7/temp"));
        assertEquals(Optional.empty(), TopicDeviceId.of("devices/{deviceId}/+").find("devices/d-7/temp/x"), "+ is one level");
        assertEquals(Optional.of("d-7"), TopicDeviceId.of("acme/{deviceId}/#").find("acme/d-7/a/b"));
        assertEquals(Optional.of("d-7"), TopicDeviceId.of("acme/{deviceId}/#").find("acme/d-7"), "# matches the parent too");
        assertEquals(Optional.of("d.7"), TopicDeviceId.of("+/x.y/{deviceId}").find("s/x.y/d.7"), "literal dots are literal");
        assertEquals(Optional.empty(), TopicDeviceId.of("+/x.y/{deviceId}").find("s/xzy/d7"));
        assertEquals(Optional.of("42"), TopicDeviceId.of("^plant/(\\d+)$").find("plant/42"), "else a regex");
        assertEquals(Optional.of("d"), TopicDeviceId.of(null).find("a/devices/d/t"), "else the default");
    }

    @Test
    void aCatastrophicBacktrackingPatternRunsInLinearTime() {
        TopicDeviceId evil = TopicDeviceId.of("(.*a){12}$");
        String topic = "a".repeat(44) + "!";
        // A backtracking matcher needs minutes for this topic (x1.6 per character); a functional
        // bound, not a measurement: the timing is printed.
        long start = System.nanoTime();
        Optional<String> found = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> evil.find(topic),
                "the pattern (.*a){12}$ must not backtrack over a " + topic.length() + "-character topic");
        System.out.printf("(.*a){12}$ over %d characters: %.2f ms%n", topic.length(), (System.nanoTime() - start) / 1e6);
        assertEquals(Optional.empty(), found, "no match: the topic does not end with a");
        assertEquals(Optional.of("a"), evil.find("a".repeat(44)), "and it still matches what it should");
    }

    @Test
    void patternsWithoutALinearTimeMatchAreRefused() {
        for (String unsafe : new String[] {"^(a+)\\1$", "^(?=plant/)(\\d+)", "(?<!x)(\\d+)", "^(\\w+)(?>x)"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TopicDeviceId.of(unsafe), unsafe);
            assertTrue(e.getMessage().contains("not supported") || e.getMessage().contains("invalid"), e.getMessage());
        }
    }

    @Test
    void patternsLongerThanTheLimitAreRefused() {
        String longest = "^(" + "a".repeat(TopicDeviceId.MAX_PATTERN_LENGTH - 3) + ")";
        assertEquals(Optional.of(longest.substring(2, longest.length() - 1)),
                TopicDeviceId.of(longest).find(longest.substring(2, longest.length() - 1)));
        assertThrows(IllegalArgumentException.class, () -> TopicDeviceId.of(longest + "b"));
    }

    @Test
    void noneFindsNothing() {
        assertEquals(Optional.empty(), TopicDeviceId.none().find("acme/devices/d-17/telemetry"));
    }

    @Test
    void theDefaultFindsWhatItsRegexFinds() {
        TopicDeviceId regex = new TopicDeviceId(TopicDeviceId.DEFAULT_PATTERN);
        for (String topic : new String[] {"devices/a", "a/devices/b/c", "devices", "devices/", "devices//x", "x/devices//devices/y",
                "/devices/a", "devicesX/a", "a/xdevices/b", "devices/a/devices/b", "", "/", "//", "a/devices", "devices/a/",
                "site/devices/d-17/telemetry", "devices/devices/devices", "a/b/c", "devices/\u00e9t\u00e9/x"}) {
            assertEquals(regex.find(topic), standard.find(topic), "topic '" + topic + "'");
        }
    }
}
