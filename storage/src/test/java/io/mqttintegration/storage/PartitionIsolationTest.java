package io.mqttintegration.storage;

import static io.mqttintegration.storage.MessagePartitionsMigrationTest.operatorRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.storage.tenants.Organization;
import io.mqttintegration.storage.tenants.OrganizationStore;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Row-level security on a partitioned mqtt_messages: the parent's policy filters every query through
 * it, the service's role has no privilege on any partition, and a grant on one made by mistake still
 * shows an organization its own rows only (every partition carries the same forced policy).
 */
class PartitionIsolationTest {

    private DataSource ds;
    private Tenancy tenancy;
    private Organization a;
    private Organization b;
    private String today;

    @BeforeEach
    void setUp() throws Exception {
        ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        new PartitionMaintenance(ds, Clock.systemUTC(), 3, Duration.ofSeconds(5)).createAhead();
        tenancy = new Tenancy(ds);
        OrganizationStore orgs = new OrganizationStore(tenancy);
        a = orgs.create("a");
        b = orgs.create("b");
        MessageWriter writer = new MessageWriter(ds, new DeadLetterStore(ds));
        List<InboundMessage> batch = List.of(message(a.id()), message(a.id()), message(b.id()));
        writer.write(batch);
        for (InboundMessage m : batch) {
            assertEquals(StoreOutcome.STORED, m.outcome().get());
        }
        today = operatorRows(tenancy, "SELECT DISTINCT tableoid::regclass FROM mqtt_messages").get(0);
    }

    private static InboundMessage message(UUID org) {
        return new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8), "application/json",
                Instant.now(), org, null);
    }

    private long count(UUID org, String table) {
        return tenancy.inOrg(org, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void throughTheParentEachOrganizationSeesItsOwnRows() {
        assertEquals(2, count(a.id(), "mqtt_messages"));
        assertEquals(1, count(b.id(), "mqtt_messages"));
    }

    @Test
    void theServicesRoleHasNoPrivilegeOnAnyPartition() {
        assertEquals(List.of("0"), operatorRows(tenancy, "SELECT count(*) FROM pg_inherits i WHERE i.inhparent = 'mqtt_messages'::regclass"
                + " AND (has_table_privilege('mqi_app', i.inhrelid, 'SELECT') OR has_table_privilege('mqi_app', i.inhrelid, 'INSERT')"
                + " OR has_table_privilege('mqi_app', i.inhrelid, 'UPDATE') OR has_table_privilege('mqi_app', i.inhrelid, 'DELETE'))"),
                "partitions are reached through mqtt_messages only");
        IllegalStateException denied = assertThrows(IllegalStateException.class, () -> count(a.id(), today));
        assertEquals(true, denied.getMessage().contains("permission denied"), denied.getMessage());
    }

    @Test
    void aGrantOnAPartitionMadeByMistakeStillShowsEachOrganizationItsOwnRowsOnly() throws Exception {
        try (Connection owner = ds.getConnection(); Statement st = owner.createStatement()) {
            for (String partition : operatorRows(tenancy, "SELECT inhrelid::regclass FROM pg_inherits"
                    + " WHERE inhparent = 'mqtt_messages'::regclass")) {
                st.execute("GRANT SELECT, UPDATE, DELETE ON " + partition + " TO mqi_app");
            }
        }

        assertEquals(2, count(a.id(), today), "organization a reads its own rows in the partition");
        assertEquals(1, count(b.id(), today), "and b its own");
        assertEquals(0, (long) tenancy.inOrg(a.id(), c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + today + " WHERE organization_id = ?")) {
                ps.setObject(1, b.id());
                return (long) ps.executeUpdate();
            }
        }), "a cannot delete b's rows through the partition");
        assertEquals(1, count(b.id(), "mqtt_messages"));
        assertEquals(List.of("0"), operatorRows(tenancy, "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = 'mqtt_messages'::regclass AND NOT (c.relrowsecurity AND c.relforcerowsecurity"
                + " AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation'))"),
                "every partition, the migration's, the service's and the default, has the policy, forced");
    }
}
