package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Scale-out: two service nodes (two ProductRuntimes, node ids na and nb) on one PostgreSQL and one
 * Mosquitto, one integration subscribed with an MQTT 5 shared group.
 */
class SharedSubscriptionTest extends TwoNodesCase {

    String states(String id) {
        return "a=" + status(a, id).map(SubscriptionStatus::state).orElse(null) + " b="
                + status(b, id).map(SubscriptionStatus::state).orElse(null);
    }

    @Test
    void twoNodesPublishForOneIntegrationWithoutKnockingEachOtherOff() throws Exception {
        String id = integration("b", null);
        for (int i = 0; i < 10; i++) {
            for (RuntimeHarness node : new RuntimeHarness[] {a, b}) {
                HttpResponse<String> r = node.send("POST", "/api/v1/integrations/" + id + "/publish", admin,
                        "{\"topic\":\"cmd/d1\",\"payload\":{\"n\":" + i + "},\"qos\":1}");
                assertEquals(200, r.statusCode(), r.body());
            }
        }
        String log = broker.log();
        assertTrue(log.contains("-pub-na") && log.contains("-pub-nb"), "each node publishes with a client id of its own");
        assertFalse(log.contains("already connected"), "no node's publishing client took over the other's:\n" + log);
        assertEquals(2, log.lines().filter(l -> l.contains("New client connected") && l.contains("-pub-")).count(),
                "one publishing connection per node, kept");
    }

    @Test
    void eachMessageIsStoredOnceByOneOfTwoNodes() throws Exception {
        String id = integration("b", "mqi");
        subscribe(a, id);
        SubscriptionTest.await("both nodes subscribed to the shared group", Duration.ofSeconds(30), () -> states(id),
                () -> connected(a, id) && connected(b, id));
        broker.subscribed("$share/mqi/" + TOPIC);
        String hex = id.replace("-", "");
        String log = broker.log();
        assertTrue(log.contains(" as mqi-" + hex.substring(0, 16) + "-na") && log.contains(" as mqi-" + hex.substring(0, 16) + "-nb"),
                "each node has a session of its own, client id within 23 characters");

        int n = 6_000;
        long start = System.nanoTime();
        broker.publishLines("plant/p1/devices/d1/telemetry", payloads(n), 1, "svc", "broker-pw");
        SubscriptionTest.await(n + " messages stored", Duration.ofSeconds(45), () -> "stored " + stored() + ", " + states(id),
                () -> stored() >= n);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        SubscriptionTest.await("counters settled", Duration.ofSeconds(5),
                () -> status(a, id).orElseThrow().stored() + status(b, id).orElseThrow().stored() >= n);
        long byA = status(a, id).orElseThrow().stored();
        long byB = status(b, id).orElseThrow().stored();
        System.out.printf("shared subscription: %d QoS 1 messages stored in %d ms by two nodes: na %d, nb %d%n", n, ms, byA, byB);

        assertEquals(n, stored(), "each message stored once (no duplicates, none lost)");
        assertEquals(n, Rows.count(db, "SELECT count(DISTINCT payload) FROM mqtt_messages WHERE source = 'mqtt' AND seq = 0"),
                "every distinct message is there");
        assertEquals(n, byA + byB, "each message stored by exactly one node");
        assertTrue(byA > 0 && byB > 0, "both nodes took a share: na " + byA + ", nb " + byB);
        assertEquals(0, status(a, id).orElseThrow().failed() + status(b, id).orElseThrow().failed());
        assertEquals("plant/p1/devices/d1/telemetry d1", Rows.text(db,
                "SELECT string_agg(DISTINCT topic || ' ' || device_id, ',') FROM mqtt_messages WHERE source = 'mqtt' AND seq = 0"),
                "messages carry their real topic, not $share/..., so the device id is found in it");
    }

    @Test
    void aSubscriptionMadeThroughOneNodeStartsAndStopsOnTheOther() throws Exception {
        String id = integration("b", "mqi");
        assertTrue(status(b, id).isEmpty());
        subscribe(a, id);
        long subscribed = System.nanoTime();
        SubscriptionTest.await("node b joined within the sync interval", Duration.ofSeconds(SYNC_SECONDS + 5), () -> states(id),
                () -> connected(b, id));
        System.out.printf("node b connected %d ms after the subscribe call on node a (sync every %d s)%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - subscribed), SYNC_SECONDS);
        SubscriptionTest.await("node a connected", Duration.ofSeconds(10), () -> states(id), () -> connected(a, id));

        broker.publishLines("plant/p2/devices/d2/telemetry", payloads(200), 1, "svc", "broker-pw");
        SubscriptionTest.await("200 stored", Duration.ofSeconds(30), () -> "stored " + stored(), () -> stored() >= 200);
        assertTrue(status(b, id).orElseThrow().stored() > 0, "node b takes a share of what a subscription made on a receives");

        HttpResponse<String> stop = a.send("DELETE", "/api/v1/integrations/" + id + "/subscribe", admin, null);
        assertEquals(200, stop.statusCode(), stop.body());
        // The subscription leaves node b's running map before its route is taken down (after the
        // messages in flight): both are awaited, as the route's removal was asserted too early once.
        SubscriptionTest.await("node b stopped its subscription and its route is gone", Duration.ofSeconds(SYNC_SECONDS + 5),
                () -> states(id) + ", route " + b.runtime.camelContext().getRoute("mqtt-subscription-" + id),
                () -> status(b, id).isEmpty() && b.runtime.camelContext().getRoute("mqtt-subscription-" + id) == null);
        String clientB = "mqi-" + id.replace("-", "").substring(0, 16) + "-nb";
        SubscriptionTest.await("node b ended its session", Duration.ofSeconds(10),
                () -> broker.log().contains("Client " + clientB + " disconnected"));
        assertEquals(200, stored(), "each once");
    }

    @Test
    void aChangedIntegrationIsFollowedOnTheOtherNode() throws Exception {
        String id = integration("b", null);
        subscribe(a, id);
        SubscriptionTest.await("a plain subscription, on node a", Duration.ofSeconds(SYNC_SECONDS + 10), () -> states(id),
                () -> connected(a, id));
        HttpResponse<String> patch = a.send("PATCH", "/api/v1/integrations/" + id, admin, "{\"settings\":{\"sharedGroup\":\"g2\"}}");
        assertEquals(200, patch.statusCode(), patch.body());
        SubscriptionTest.await("both nodes in group g2", Duration.ofSeconds(SYNC_SECONDS + 10), () -> states(id),
                () -> connected(a, id) && connected(b, id) && broker.log().contains("$share/g2/" + TOPIC));
        broker.publishLines("plant/p3/devices/d3/telemetry", payloads(300), 1, "svc", "broker-pw");
        SubscriptionTest.await("300 stored", Duration.ofSeconds(30), () -> "stored " + stored(), () -> stored() >= 300);
        TimeUnit.MILLISECONDS.sleep(1000); // room for a duplicate to arrive (the assertion below is about its absence)
        assertEquals(300, stored(), "each once: the plain sessions were ended, not left subscribed beside the group");
    }

    @Test
    void withoutASharedGroupOneNodeRunsTheSubscriptionAndASubscribeCallMovesIt() throws Exception {
        String id = integration("b", null);
        subscribe(a, id);
        SubscriptionTest.await("node a connected", Duration.ofSeconds(10), () -> states(id), () -> connected(a, id));
        long round = b.runtime.subscriptions().syncRounds();
        SubscriptionTest.await("node b reconciled twice since", Duration.ofSeconds(3 * SYNC_SECONDS + 5),
                () -> b.runtime.subscriptions().syncRounds() >= round + 2);
        assertTrue(status(b, id).isEmpty(), "node b leaves it to node a: one client id, one client");

        subscribe(b, id);
        SubscriptionTest.await("moved to node b", Duration.ofSeconds(SYNC_SECONDS + 10), () -> states(id),
                () -> connected(b, id) && status(a, id).isEmpty());
        broker.publishLines("plant/p4/devices/d4/telemetry", payloads(200), 1, "svc", "broker-pw");
        SubscriptionTest.await("200 stored", Duration.ofSeconds(30), () -> "stored " + stored(), () -> stored() >= 200);
        SubscriptionTest.await("counted", Duration.ofSeconds(5), () -> status(b, id).orElseThrow().stored() >= 200);
        TimeUnit.MILLISECONDS.sleep(1000); // room for a duplicate to arrive (the assertion below is about its absence)
        assertEquals(200, stored(), "each once");
        assertEquals(200, status(b, id).orElseThrow().stored(), "all through node b");
        String clientId = "mqi-" + id.replace("-", "").substring(0, 19);
        System.out.printf("plain subscription moved from node a to node b: %d connections with %s in all (a's, b's, and"
                + " those of the hand-over until a's next reconciliation)%n", broker.log().split(" as " + clientId + " ", -1).length - 1,
                clientId);
    }

    long stored() {
        return Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'mqtt' AND seq = 0");
    }
}
