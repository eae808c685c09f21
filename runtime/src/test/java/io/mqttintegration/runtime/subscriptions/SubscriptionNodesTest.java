package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.SubscriptionNodes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The subscription's state on every node (issue 31): two service nodes (na, nb) on one PostgreSQL
 * and one Mosquitto, one integration subscribed in a shared group, so that both run it; {@code GET
 * /api/v1/integrations/{id}} through either lists both nodes' states in {@code subscription.nodes}.
 */
class SubscriptionNodesTest extends TwoNodesCase {

    UUID organization;
    String otherAdmin;
    UUID otherOrganization;

    @Override
    Map<String, String> nodeSettings() {
        return Map.of("presence.sweepSeconds", "1"); // the heartbeat
    }

    @BeforeEach
    void organizations() throws Exception {
        organization = UUID.fromString(tenant.organizationId());
        RuntimeHarness.Tenant other = a.createOrganization("other");
        otherAdmin = other.adminKey();
        otherOrganization = UUID.fromString(other.organizationId());
    }

    String subscribedIntegration() throws Exception {
        String id = integration("plant", "mqi");
        subscribe(a, id);
        return id;
    }

    JsonNode get(RuntimeHarness node, String id, String key) throws Exception {
        HttpResponse<String> r = node.send("GET", "/api/v1/integrations/" + id, key, null);
        assertEquals(200, r.statusCode(), r.body());
        return Json.strict().readTree(r.body());
    }

    JsonNode nodes(RuntimeHarness node, String id) throws Exception {
        return get(node, id, admin).path("subscription").path("nodes");
    }

    static List<String> names(JsonNode nodes) {
        List<String> names = new ArrayList<>();
        nodes.forEach(n -> names.add(n.path("node").asText()));
        return names;
    }

    static boolean all(JsonNode nodes, String field, String value) {
        boolean all = nodes.size() > 0;
        for (JsonNode n : nodes) {
            all &= n.path(field).asText().equals(value);
        }
        return all;
    }

    static long sum(JsonNode nodes, String field) {
        long sum = 0;
        for (JsonNode n : nodes) {
            sum += n.path(field).asLong();
        }
        return sum;
    }

    long rows(String id) {
        return Rows.count(db, "SELECT count(*) FROM subscription_nodes WHERE integration_id = '" + id + "'");
    }

    @Test
    void eitherNodeListsBothNodesStatesAndUnsubscribingRemovesThem() throws Exception {
        String id = subscribedIntegration();
        SubscriptionTest.await("both nodes subscribed to the shared group", Duration.ofSeconds(30), () -> nodes(a, id).toString(),
                () -> connected(a, id) && connected(b, id));
        broker.subscribed("$share/mqi/" + TOPIC);
        broker.publishLines("plant/p1/devices/d1/telemetry", payloads(200), 1, "svc", "broker-pw");
        SubscriptionTest.await("both nodes' rows connected, with every message counted where it was stored",
                Duration.ofSeconds(SYNC_SECONDS * 3L + 30), () -> nodes(a, id).toString(),
                () -> {
                    JsonNode nodes = nodes(a, id);
                    return names(nodes).equals(List.of("na", "nb")) && all(nodes, "state", "connected")
                            && sum(nodes, "stored") == 200;
                });

        JsonNode seenThroughA = get(a, id, admin);
        System.out.println("GET /api/v1/integrations/{id} through node na: " + seenThroughA);
        JsonNode nodes = seenThroughA.path("subscription").path("nodes");
        for (JsonNode n : nodes) {
            assertFalse(n.path("stale").asBoolean(), "both nodes beat their heartbeat: " + n);
            assertTrue(n.path("connectedSince").isTextual() && n.path("updatedAt").isTextual(), n.toString());
            assertEquals(0, n.path("failed").asLong(), n.toString());
            assertEquals(n.path("received").asLong(), n.path("stored").asLong(), n.toString());
        }
        assertTrue(nodes.get(1).path("stored").asLong() > 0, "nb's row holds what nb stored: " + nodes);
        assertEquals("connected", seenThroughA.path("subscription").path("state").asText(),
                "the subscription's own fields stay the answering node's view");
        assertEquals(List.of("na", "nb"), names(nodes(b, id)), "node b lists both too");

        HttpResponse<String> foreign = a.send("GET", "/api/v1/integrations/" + id, otherAdmin, null);
        assertEquals(404, foreign.statusCode(), "another organization does not see the integration: " + foreign.body());
        SubscriptionNodes store = new SubscriptionNodes(new Tenancy(db));
        assertTrue(store.list(otherOrganization, UUID.fromString(id), 30).isEmpty(),
                "nor, asked by its id, any node's row of its subscription (row-level security)");
        assertEquals(2, store.list(organization, UUID.fromString(id), 30).size(), "its own organization sees both");

        HttpResponse<String> stop = a.send("DELETE", "/api/v1/integrations/" + id + "/subscribe", admin, null);
        assertEquals(200, stop.statusCode(), stop.body());
        assertEquals(0, rows(id), "unsubscribed: every node's row went with the subscription");
        assertTrue(get(a, id, admin).path("subscription").isNull());
        long round = b.runtime.subscriptions().syncRounds();
        SubscriptionTest.await("node b reconciled twice since (stopping the subscription there)", Duration.ofSeconds(3 * SYNC_SECONDS + 10),
                () -> b.runtime.subscriptions().syncRounds() >= round + 2 && status(b, id).isEmpty());
        assertEquals(0, rows(id), "no node writes a row for a subscription it no longer runs");
    }

    @Test
    void aStoppedNodesRowIsShownStale() throws Exception {
        String id = subscribedIntegration();
        SubscriptionTest.await("both nodes' rows connected", Duration.ofSeconds(SYNC_SECONDS * 3L + 30), () -> nodes(a, id).toString(),
                () -> names(nodes(a, id)).equals(List.of("na", "nb")) && all(nodes(a, id), "state", "connected"));
        assertFalse(nodes(a, id).get(1).path("stale").asBoolean());

        b.close();
        b = null;
        JsonNode nodes = nodes(a, id);
        assertEquals(List.of("na", "nb"), names(nodes), "a stopped node's row stays (its session is kept at the broker)");
        assertTrue(nodes.get(1).path("stale").asBoolean(), "its node stopped: shown stale, not live: " + nodes);
        assertFalse(nodes.get(0).path("stale").asBoolean(), nodes.toString());
    }
}
