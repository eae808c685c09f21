package io.mqttintegration.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.storage.tenants.ApiKeyStore;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.Organization;
import io.mqttintegration.storage.tenants.OrganizationStore;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Row-level security alone, without the stores' organization filters, keeps tenants apart. */
class TenantIsolationTest {

    private Tenancy tenancy;
    private IntegrationStore integrations;
    private Organization a;
    private Organization b;

    @BeforeEach
    void setUp() {
        DataSource ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        tenancy = new Tenancy(ds);
        OrganizationStore orgs = new OrganizationStore(tenancy);
        integrations = new IntegrationStore(tenancy);
        a = orgs.create("a");
        b = orgs.create("b");
        for (Organization org : List.of(a, b)) {
            tenancy.inOrg(org.id(), c -> integrations.insert(c, new IntegrationRecord(MessageIds.next(), org.id(),
                    "broker of " + org.name(), "mqtt", "{}", null, true, null, null)));
            new ApiKeyStore(tenancy).create(org.id(), "k", List.of("read"), null, "p" + org.name() + "aaaaaaaaaa",
                    new byte[32]);
        }
        MessageWriter writer = new MessageWriter(ds, new DeadLetterStore(ds));
        writer.write(List.of(message(a.id()), message(a.id()), message(b.id())));
    }

    private static InboundMessage message(UUID org) {
        return new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8),
                "application/json", Instant.now(), org, null);
    }

    /** The query a buggy store might send: no organization filter at all. */
    private long unfilteredCount(UUID org, String table) {
        return tenancy.inOrg(org, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** JIT compilation is off in the service's transactions (Tenancy.SCOPE says why), and only there. */
    @Test
    void theServicesTransactionsRunWithoutJitCompilation() {
        Tenancy.Work<String> jit = c -> {
            try (PreparedStatement ps = c.prepareStatement("SHOW jit"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        };
        assertEquals("off", tenancy.inOrg(a.id(), jit));
        assertEquals("off", tenancy.asOperator(jit));
        assertEquals("on", tenancy.lookup(jit), "the server's default, outside a scoped transaction (set_config(..., true) is local)");
    }

    @Test
    void withoutTheApplicationFilterRowLevelSecurityStillHidesTheOtherOrganization() {
        assertEquals(1, unfilteredCount(a.id(), "integrations"));
        assertEquals(1, unfilteredCount(a.id(), "api_keys"));
        assertEquals(2, unfilteredCount(a.id(), "mqtt_messages"), "the writer stored each message under its organization");
        assertEquals(1, unfilteredCount(b.id(), "mqtt_messages"));
        assertEquals(1, unfilteredCount(a.id(), "organizations"));
        assertEquals(2, (long) tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM integrations"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }), "the operator sees every organization");
    }

    @Test
    void anOrganizationCannotWriteIntoAnother() {
        assertThrows(IllegalStateException.class, () -> tenancy.inOrg(a.id(), c -> integrations.insert(c,
                new IntegrationRecord(MessageIds.next(), b.id(), "sneaky", "mqtt", "{}", null, true, null, null))),
                "WITH CHECK refuses a row for another organization");
        UUID bIntegration = tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM integrations WHERE organization_id = ?")) {
                ps.setObject(1, b.id());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getObject(1, UUID.class);
                }
            }
        });
        assertFalse(integrations.get(a.id(), bIntegration).isPresent());
        assertEquals(0, (int) tenancy.inOrg(a.id(), c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM integrations WHERE id = ?")) {
                ps.setObject(1, bIntegration);
                return ps.executeUpdate();
            }
        }), "and cannot delete its rows, even by id");
        assertTrue(integrations.get(b.id(), bIntegration).isPresent());
    }
}
