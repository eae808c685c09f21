package io.mqttintegration.parsers;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
