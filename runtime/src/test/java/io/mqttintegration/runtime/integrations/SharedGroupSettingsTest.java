package io.mqttintegration.runtime.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.http.ApiException;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The sharedGroup setting and the node-specific client ids of shared subscriptions. */
class SharedGroupSettingsTest {

    private final IntegrationSettings settings = new IntegrationSettings(() -> Set.of("standard"));

    private BrokerSettings apply(String patch) {
        return settings.apply(BrokerSettings.empty(), tree(patch));
    }

    @Test
    void acceptsAGroupNameAndShowsIt() {
        BrokerSettings stored = apply("{\"host\":\"b.example\",\"sharedGroup\":\"mqi-ingest_1.eu\"}");
        assertEquals("mqi-ingest_1.eu", IntegrationSettings.view(stored, UUID.randomUUID()).get("sharedGroup"));
        assertFalse(IntegrationSettings.view(apply("{\"host\":\"b.example\"}"), UUID.randomUUID()).containsKey("sharedGroup"),
                "no group, no field: a plain subscription");
    }

    @Test
    void refusesWhatIsNotOneTopicLevel() {
        for (String group : new String[] {"a/b", "a+", "#", "", "a b", "x".repeat(65), "\\u0000"}) {
            ApiException e = assertThrows(ApiException.class,
                    () -> apply("{\"host\":\"b.example\",\"sharedGroup\":\"" + group + "\"}"), group);
            assertTrue(e.getMessage().contains("settings.sharedGroup"), group + ": " + e.getMessage());
        }
        assertThrows(ApiException.class, () -> apply("{\"host\":\"b.example\",\"sharedGroup\":7}"), "a number is no name");
    }

    @Test
    void theDefaultClientIdOfANodeStaysWithin23Characters() {
        UUID id = UUID.fromString("01a21939-deec-74c2-ba98-851bfbaeb5cd");
        assertEquals("mqi-01a21939deec74c2ba9", BrokerSettings.defaultClientId(id));
        assertEquals("mqi-01a21939deec74c2-n1", BrokerSettings.nodeClientId(BrokerSettings.defaultClientId(id), id, "n1"));
        String longest = BrokerSettings.nodeClientId(BrokerSettings.defaultClientId(id), id, "node-12345");
        assertEquals("mqi-01a21939-node-12345", longest);
        assertTrue(longest.length() <= 23, longest);
        assertEquals("plant-7-n1", BrokerSettings.nodeClientId("plant-7", id, "n1"), "a chosen client id gets the node's suffix");
    }

    static com.fasterxml.jackson.databind.JsonNode tree(String json) {
        try {
            return Json.strict().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
