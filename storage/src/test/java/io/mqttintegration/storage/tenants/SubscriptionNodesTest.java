package io.mqttintegration.storage.tenants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.presence.PresenceStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each node's rows of the subscriptions it runs: written a round at a time, read per organization, stale when the node is gone. */
class SubscriptionNodesTest {

    static final int TIMEOUT = 30;

    private DataSource ds;
    private Tenancy tenancy;
    private SubscriptionStore subscriptions;
    private SubscriptionNodes nodes;
    private PresenceStore heartbeats;
    private Organization a;
    private Organization b;

    @BeforeEach
    void setUp() {
        ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        tenancy = new Tenancy(ds);
        subscriptions = new SubscriptionStore(tenancy);
        nodes = new SubscriptionNodes(tenancy);
        heartbeats = new PresenceStore(tenancy);
        OrganizationStore orgs = new OrganizationStore(tenancy);
        a = orgs.create("a");
        b = orgs.create("b");
    }

    private UUID subscribed(Organization org) {
        UUID id = MessageIds.next();
        IntegrationStore integrations = new IntegrationStore(tenancy);
        tenancy.inOrg(org.id(), c -> integrations.insert(c, new IntegrationRecord(id, org.id(), "broker", "mqtt", "{}", null,
                true, null, null)));
        tenancy.inOrg(org.id(), c -> subscriptions.save(c, new SubscriptionRecord(id, org.id(), List.of("x/#"), 1)));
        return id;
    }

    private static SubscriptionState connected(UUID id, long stored) {
        return new SubscriptionState(id, "connected", Instant.parse("2026-12-07T17:00:00Z"), null, null, stored + 1, stored, 1, 2);
    }

    private static SubscriptionState failing(UUID id) {
        return new SubscriptionState(id, "error", null, "connection_refused: bad\u0000 password", Instant.parse("2026-12-07T17:01:00Z"),
                0, 0, 0, 0);
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }

    @Test
    void eachNodeWritesItsRowsAndARoundRemovesWhatItNoLongerRuns() {
        UUID one = subscribed(a);
        UUID two = subscribed(a);
        nodes.report("n2", List.of(failing(one)));
        nodes.report("n1", List.of(connected(one, 5), connected(two, 7)));

        List<SubscriptionOnNode> rows = nodes.list(a.id(), one, TIMEOUT);
        assertEquals(List.of("n1", "n2"), rows.stream().map(SubscriptionOnNode::node).toList(), "every node that runs it, by node");
        SubscriptionState n1 = rows.get(0).state();
        assertEquals("connected", n1.state());
        assertEquals(Instant.parse("2026-12-07T17:00:00Z"), n1.connectedSince());
        assertEquals(List.of(6L, 5L, 1L, 2L), List.of(n1.received(), n1.stored(), n1.failed(), (long) n1.reconnects()));
        SubscriptionState n2 = rows.get(1).state();
        assertEquals("error", n2.state());
        assertNull(n2.connectedSince());
        assertEquals("connection_refused: bad password", n2.lastError(), "a NUL in an error does not fail the round");
        assertEquals(Instant.parse("2026-12-07T17:01:00Z"), n2.lastErrorAt());

        nodes.report("n1", List.of(connected(two, 9)));
        assertEquals(List.of("n2"), nodes.list(a.id(), one, TIMEOUT).stream().map(SubscriptionOnNode::node).toList(),
                "n1 no longer runs it: its row went in the same round");
        assertEquals(9, nodes.list(a.id(), two, TIMEOUT).get(0).state().stored(), "the row it still runs is rewritten");
        nodes.report("n2", List.of());
        assertTrue(nodes.list(a.id(), one, TIMEOUT).isEmpty(), "a node that runs nothing keeps no row");
    }

    @Test
    void rowsGoWithTheirSubscriptionAndOneRemovedMeanwhileIsSkipped() {
        UUID id = subscribed(a);
        UUID kept = subscribed(a);
        nodes.report("n1", List.of(connected(id, 1), connected(kept, 1)));
        tenancy.inOrg(a.id(), c -> subscriptions.delete(c, a.id(), id));
        assertTrue(nodes.list(a.id(), id, TIMEOUT).isEmpty(), "unsubscribed: every node's row is gone");

        nodes.report("n1", List.of(connected(id, 2), connected(kept, 2)));
        assertTrue(nodes.list(a.id(), id, TIMEOUT).isEmpty(), "a round that still ran it writes no row for a gone subscription");
        assertEquals(2, nodes.list(a.id(), kept, TIMEOUT).get(0).state().stored(), "and the round's other rows are written");
    }

    @Test
    void anotherOrganizationSeesNoRow() throws SQLException {
        UUID ofA = subscribed(a);
        subscribed(b);
        nodes.report("n1", List.of(connected(ofA, 3)));
        assertTrue(nodes.list(b.id(), ofA, TIMEOUT).isEmpty(), "asked by id, organization b sees nothing of a's subscription");
        long seenByB = tenancy.inOrg(b.id(), c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM subscription_nodes");
                    java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
        assertEquals(0, seenByB, "row-level security hides a's rows even from a query without a filter");
        assertEquals(1, nodes.list(a.id(), ofA, TIMEOUT).size());
    }

    @Test
    void rowsOfAStoppedOrSilentNodeAreStale() throws SQLException {
        UUID id = subscribed(a);
        heartbeats.beat("live", true);
        heartbeats.beat("late", true);
        heartbeats.beat("gone", true);
        heartbeats.nodeStopped("gone");
        execute("UPDATE service_nodes SET heartbeat_at = now() - interval '1 minute' WHERE node_id = 'late'");
        for (String node : List.of("live", "late", "gone", "nobeat", "oldrow")) {
            nodes.report(node, List.of(connected(id, 1)));
        }
        execute("UPDATE subscription_nodes SET updated_at = now() - interval '1 minute' WHERE node = 'oldrow'");

        List<SubscriptionOnNode> rows = nodes.list(a.id(), id, TIMEOUT);
        assertEquals(List.of("gone", "late", "live", "nobeat", "oldrow"), rows.stream().map(SubscriptionOnNode::node).toList());
        assertTrue(rows.get(0).stale(), "a node that stopped");
        assertTrue(rows.get(1).stale(), "a node whose heartbeat is older than the timeout");
        assertFalse(rows.get(2).stale(), "a node that beats");
        assertFalse(rows.get(3).stale(), "a node without heartbeat (presence off) whose row is fresh");
        assertTrue(rows.get(4).stale(), "a node without heartbeat whose row is older than the timeout");
    }
}
