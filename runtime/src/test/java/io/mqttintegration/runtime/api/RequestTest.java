package io.mqttintegration.runtime.api;

import static io.mqttintegration.runtime.api.ApiRequestsForTest.key;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.operator;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a bean reads of its {@link Request}: path parameters by name, query parameters decoded, the organization. */
class RequestTest {

    @Test
    void pathParametersAreMatchedByNameSegmentBySegment() {
        assertEquals(Map.of("id", "a", "credentialId", "b"),
                Request.pathParams("/api/v1/integrations/{id}/credentials/{credentialId}", "/api/v1/integrations/a/credentials/b"));
        assertEquals(Map.of(), Request.pathParams("/api/v1/integrations/{id}", "/api/v1/integrations/a/credentials"),
                "another shape: nothing, rather than a wrong id");
        assertEquals(Map.of(), Request.pathParams(null, "/api/v1/integrations/a"));
    }

    @Test
    void queryParametersAreDecodedAndTheFirstValueWins() {
        Request r = new Request(operator(), Map.of(), "name=x%20y&flag&name=z&a%2Bb=1", null);
        assertEquals("x y", r.param("name"));
        assertEquals("", r.param("flag"));
        assertEquals("1", r.param("a+b"));
        assertNull(r.param("missing"));
        assertNull(new Request(operator(), Map.of(), null, null).param("name"));
    }

    @Test
    void aMalformedPathIdIsNotFoundAndAKeyActsInItsOwnOrganization() {
        refused(404, () -> new Request(operator(), Map.of("id", "not-a-uuid"), null, null).id("id", "integration"));
        UUID own = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        assertEquals(own, new Request(key(own, "admin"), Map.of(), "organizationId=" + other, null).organization(),
                "a key's organization is its own, whatever it names");
        assertEquals(other, new Request(operator(), Map.of(), "organizationId=" + other, null).organization());
        assertEquals("organizationId", refused(400, () -> new Request(operator(), Map.of(), null, null).organization()).field(),
                "the operator names the organization it acts for");
        assertEquals("organizationId", refused(400, () -> new Request(operator(), Map.of(), "organizationId=x", null)
                .organization()).field());
    }
}
