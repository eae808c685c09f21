package io.mqttintegration.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqttintegration.runtime.http.ApiException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The sharedGroup setting and the node-specific client ids of shared subscriptions. */
class SharedGroupSettingsTest {

    private final IntegrationSettings settings = new IntegrationSettings(() -> Set.of("standard"));

    private ObjectNode apply(String patch) {
        return settings.apply(JsonNodeFactory.instance.objectNode(), Map.of(), IntegrationsApi.parse(patch)).settings();
    }

    @Test
    void acceptsAGroupNameAndShowsIt() {
        ObjectNode stored = apply("{\"host\":\"b.example\",\"sharedGroup\":\"mqi-ingest_1.eu\"}");
        assertEquals("mqi-ingest_1.eu", IntegrationSettings.view(stored, Set.of(), UUID.randomUUID()).get("sharedGroup"));
        assertFalse(IntegrationSettings.view(apply("{\"host\":\"b.example\"}"), Set.of(), UUID.randomUUID()).containsKey("sharedGroup"),
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
        assertEquals("mqi-01a21939deec74c2ba9", IntegrationSettings.defaultClientId(id));
        assertEquals("mqi-01a21939deec74c2-n1", IntegrationSettings.nodeClientId(IntegrationSettings.defaultClientId(id), id, "n1"));
        String longest = IntegrationSettings.nodeClientId(IntegrationSettings.defaultClientId(id), id, "node-12345");
        assertEquals("mqi-01a21939-node-12345", longest);
        assertTrue(longest.length() <= 23, longest);
        assertEquals("plant-7-n1", IntegrationSettings.nodeClientId("plant-7", id, "n1"), "a chosen client id gets the node's suffix");
    }
}
