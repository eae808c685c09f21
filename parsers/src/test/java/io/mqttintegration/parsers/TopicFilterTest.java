package io.mqttintegration.parsers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopicFilterTest {

    @Test
    void matchesLikeAnMqttBroker() {
        assertTrue(TopicFilter.matches("sensors/+/senml", "sensors/d1/senml"));
        assertFalse(TopicFilter.matches("sensors/+/senml", "sensors/d1/x/senml"));
        assertTrue(TopicFilter.matches("sensors/#", "sensors/d1/x"));
        assertTrue(TopicFilter.matches("sensors/#", "sensors"), "# also matches the parent level");
        assertTrue(TopicFilter.matches("#", "anything/at/all"));
        assertTrue(TopicFilter.matches("a/b", "a/b"));
        assertFalse(TopicFilter.matches("a/b", "a/b/c"));
        assertFalse(TopicFilter.matches("a/+", "a"));
        assertTrue(TopicFilter.matches("+/+", "/x"), "an empty level is a level");
    }

    @Test
    void theRegexMatchesWhatTheFilterMatches() {
        List<String> filters = List.of("#", "+", "a/#", "a/+", "a/+/c", "+/b/#", "a.b/c*d/#", "site/(x)/+", "a//b", "/#");
        List<String> topics = List.of("a", "a/b", "a/b/c", "a/x/c", "b", "x/b/y", "a.b/c*d", "a.b/c*d/e", "aXb/c*d",
                "site/(x)/1", "site/x/1", "a//b", "/", "/a", "", "a/b/c/d");
        for (String filter : filters) {
            java.util.regex.Pattern regex = java.util.regex.Pattern.compile(TopicFilter.toRegex(filter));
            for (String topic : topics) {
                assertEquals(TopicFilter.matches(filter, topic), regex.matcher(topic).matches(), filter + " on '" + topic + "'");
            }
        }
    }

    @Test
    void onlyValidFiltersBecomeRegexes() {
        for (String bad : List.of("", "a/#/b", "a#", "a/b+", "+a", "a/\0")) {
            assertFalse(TopicFilter.isValid(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> TopicFilter.toRegex(bad));
        }
        assertEquals("^devices/[^/]*/telemetry$", TopicFilter.toRegex("devices/+/telemetry"));
        assertEquals("^a\\.b(/.*)?$", TopicFilter.toRegex("a.b/#"));
    }
}
