package io.mqttintegration.storage.tenants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.storage.Tenancy;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Subscriptions: saved per organization, listed for the start, gone with their integration. */
class SubscriptionStoreTest {

    private Tenancy tenancy;
    private IntegrationStore integrations;
    private SubscriptionStore subscriptions;
    private Organization a;
    private Organization b;

    @BeforeEach
    void setUp() {
        DataSource ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        tenancy = new Tenancy(ds);
        integrations = new IntegrationStore(tenancy);
        subscriptions = new SubscriptionStore(tenancy);
        OrganizationStore orgs = new OrganizationStore(tenancy);
        a = orgs.create("a");
        b = orgs.create("b");
    }

    private UUID integration(Organization org, boolean enabled) {
        UUID id = MessageIds.next();
        tenancy.inOrg(org.id(), c -> integrations.insert(c, new IntegrationRecord(id, org.id(), "broker", "mqtt", "{}", null,
                enabled, null, null)));
        return id;
    }

    @Test
    void savesReplacesAndListsOnlyEnabledIntegrations() {
        UUID first = integration(a, true);
        UUID disabled = integration(a, false);
        UUID other = integration(b, true);
        tenancy.inOrg(a.id(), c -> subscriptions.save(c, new SubscriptionRecord(first, a.id(), List.of("x/#"), 1)));
        SubscriptionRecord replaced = tenancy.inOrg(a.id(),
                c -> subscriptions.save(c, new SubscriptionRecord(first, a.id(), List.of("y/+/t", "z"), 0)));
        assertEquals(List.of("y/+/t", "z"), replaced.topics());
        assertEquals(0, replaced.qos());
        tenancy.inOrg(a.id(), c -> subscriptions.save(c, new SubscriptionRecord(disabled, a.id(), List.of("d"), 1)));
        tenancy.inOrg(b.id(), c -> subscriptions.save(c, new SubscriptionRecord(other, b.id(), List.of("b/#"), 1)));

        assertEquals(List.of(first, other), subscriptions.listActive().stream().map(SubscriptionRecord::integrationId).toList());
        assertEquals(List.of("y/+/t", "z"), subscriptions.get(a.id(), first).orElseThrow().topics());
    }

    @Test
    void organizationsAreKeptApart() {
        UUID ofB = integration(b, true);
        tenancy.inOrg(b.id(), c -> subscriptions.save(c, new SubscriptionRecord(ofB, b.id(), List.of("b/#"), 1)));
        assertFalse(subscriptions.get(a.id(), ofB).isPresent());
        assertFalse((boolean) tenancy.inOrg(a.id(), c -> subscriptions.delete(c, a.id(), ofB)));
        assertThrows(IllegalStateException.class, () -> tenancy.inOrg(a.id(),
                c -> subscriptions.save(c, new SubscriptionRecord(ofB, b.id(), List.of("steal/#"), 1))),
                "row-level security refuses a row for another organization");
        assertEquals(List.of("b/#"), subscriptions.get(b.id(), ofB).orElseThrow().topics());
    }

    @Test
    void deletingTheIntegrationDeletesItsSubscription() {
        UUID id = integration(a, true);
        tenancy.inOrg(a.id(), c -> subscriptions.save(c, new SubscriptionRecord(id, a.id(), List.of("x"), 1)));
        tenancy.inOrg(a.id(), c -> integrations.delete(c, a.id(), id));
        assertTrue(subscriptions.listActive().isEmpty());
    }

    @Test
    void theVersionMovesWhenTheSubscriptionOrItsIntegrationChanges() {
        UUID id = integration(a, true);
        tenancy.inOrg(a.id(), c -> subscriptions.save(c, new SubscriptionRecord(id, a.id(), List.of("x"), 1)));
        var first = subscriptions.listActiveVersions().get(0).version();
        tenancy.inOrg(a.id(), c -> subscriptions.save(c, new SubscriptionRecord(id, a.id(), List.of("x", "y"), 1)));
        var second = subscriptions.listActiveVersions().get(0).version();
        assertTrue(second.isAfter(first), "new topics: " + first + " -> " + second);
        IntegrationRecord current = integrations.get(a.id(), id).orElseThrow();
        tenancy.inOrg(a.id(), c -> integrations.update(c, new IntegrationRecord(id, a.id(), current.name(), "mqtt",
                "{\"sharedGroup\":\"g\"}", null, true, null, null)));
        var third = subscriptions.listActiveVersions().get(0).version();
        assertTrue(third.isAfter(second), "new integration settings: " + second + " -> " + third);
    }

    @Test
    void oneNodeClaimsAnUnownedSubscriptionAndASaveMovesIt() {
        UUID id = integration(a, true);
        tenancy.inOrg(a.id(), c -> subscriptions.save(c, new SubscriptionRecord(id, a.id(), List.of("x"), 1)));
        assertEquals(null, subscriptions.listActiveVersions().get(0).ownerNode());
        assertEquals("n1", subscriptions.claim(id, "n1").orElseThrow());
        assertEquals("n1", subscriptions.claim(id, "n2").orElseThrow(), "the first claim wins");
        tenancy.inOrg(a.id(), c -> subscriptions.save(c, new SubscriptionRecord(id, a.id(), List.of("x"), 1), "n2"));
        assertEquals("n2", subscriptions.listActiveVersions().get(0).ownerNode(), "subscribing through a node moves it there");
        assertFalse(subscriptions.claim(MessageIds.next(), "n1").isPresent(), "no row, no owner");
    }

    @Test
    void aSessionHoldsTheFiltersItsLastGrantedSubscribeNamed() {
        UUID id = integration(a, true);
        tenancy.inOrg(a.id(), c -> subscriptions.save(c, new SubscriptionRecord(id, a.id(), List.of("x/#", "y"), 1)));
        assertFalse(subscriptions.sessionHolds(id, "mqi-1", List.of("x/#", "y"), 1), "never subscribed");

        subscriptions.sessionSubscribed(id, "mqi-1", List.of("x/#", "y"), 1);
        assertTrue(subscriptions.sessionHolds(id, "mqi-1", List.of("x/#", "y"), 1));
        assertFalse(subscriptions.sessionHolds(id, "mqi-1", List.of("x/#"), 1), "other filters");
        assertFalse(subscriptions.sessionHolds(id, "mqi-1", List.of("x/#", "y"), 0), "another QoS");
        assertFalse(subscriptions.sessionHolds(id, "mqi-2", List.of("x/#", "y"), 1), "another client's session");

        subscriptions.sessionSubscribed(id, "mqi-1", List.of("z"), 1);
        assertFalse(subscriptions.sessionHolds(id, "mqi-1", List.of("x/#", "y"), 1), "replaced by the last SUBSCRIBE");
        assertTrue(subscriptions.sessionHolds(id, "mqi-1", List.of("z"), 1));

        subscriptions.sessionEnded(id, "mqi-1");
        assertFalse(subscriptions.sessionHolds(id, "mqi-1", List.of("z"), 1), "ended");

        subscriptions.sessionSubscribed(id, "mqi-1", List.of("z"), 1);
        tenancy.inOrg(a.id(), c -> subscriptions.delete(c, a.id(), id));
        tenancy.inOrg(a.id(), c -> subscriptions.save(c, new SubscriptionRecord(id, a.id(), List.of("z"), 1)));
        assertFalse(subscriptions.sessionHolds(id, "mqi-1", List.of("z"), 1), "gone with its subscription");
        subscriptions.sessionSubscribed(id, "mqi-1", List.of("z"), 1);
        tenancy.inOrg(a.id(), c -> integrations.delete(c, a.id(), id));
        assertFalse(subscriptions.sessionHolds(id, "mqi-1", List.of("z"), 1), "gone with its integration");
    }

    @Test
    void anOrganizationCannotReadOrWriteSessions() {
        UUID id = integration(a, true);
        tenancy.inOrg(a.id(), c -> subscriptions.save(c, new SubscriptionRecord(id, a.id(), List.of("x"), 1)));
        subscriptions.sessionSubscribed(id, "mqi-1", List.of("x"), 1);
        assertEquals(0, (int) tenancy.inOrg(a.id(), c -> {
            try (var ps = c.prepareStatement("SELECT count(*) FROM subscription_sessions"); var rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }), "row-level security: operator only");
    }
}
