package io.mqttintegration.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.Organization;
import io.mqttintegration.storage.tenants.OrganizationStore;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What mqtt_messages references and what its deletion relies on (V9, docs/architecture.md "Indexes on
 * mqtt_messages"): the integration's foreign key alone keeps message rows from outliving their
 * integration or organization, and refuses rows for an integration that is gone.
 */
class MessageReferencesTest {

    private DataSource ds;
    private Tenancy tenancy;
    private IntegrationStore integrations;
    private MessageWriter writer;

    @BeforeEach
    void setUp() {
        ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        tenancy = new Tenancy(ds);
        integrations = new IntegrationStore(tenancy);
        writer = new MessageWriter(ds, new DeadLetterStore(ds));
    }

    private UUID integration(Organization org, String name) {
        UUID id = MessageIds.next();
        tenancy.inOrg(org.id(), c -> integrations.insert(c, new IntegrationRecord(id, org.id(), name, "mqtt", "{}", null,
                true, null, null)));
        return id;
    }

    private List<InboundMessage> store(UUID org, UUID integration, int n) {
        List<InboundMessage> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8),
                    "application/json", Instant.now(), org, integration));
        }
        writer.write(batch);
        return batch;
    }

    private long operatorCount(String sql) {
        return tenancy.asOperator(c -> countIn(c, sql));
    }

    private String operatorList(String sql) {
        return tenancy.asOperator(c -> {
            List<String> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
            return String.join("; ", rows);
        });
    }

    @Test
    void messagesReferenceOnlyTheirIntegrationWhoseDeletionCascades() {
        // The organization's foreign key cost every inserted row a lookup and a share lock of the one
        // organization row all writers of that organization insert under; the integration's covers it.
        assertEquals("FOREIGN KEY (integration_id) REFERENCES integrations(id) ON DELETE CASCADE",
                operatorList("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                        + " WHERE conrelid = 'mqtt_messages'::regclass AND contype = 'f' ORDER BY conname"));
    }

    @Test
    void eachIndexOnMessagesIsOneAQueryNeeds() {
        assertEquals("mqtt_messages_device_ts; mqtt_messages_org_device_ts; "
                + "mqtt_messages_org_received; mqtt_messages_pkey; mqtt_messages_received",
                operatorList("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'mqtt_messages'::regclass"
                        + " ORDER BY 1"));
        // The writer's ON CONFLICT DO NOTHING on a client message id: on the unpartitioned key table
        // since V10 (a unique index of the partitioned table would be unique per partition only).
        assertEquals("mqtt_client_message_ids_key; mqtt_client_message_ids_received",
                operatorList("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'mqtt_client_message_ids'::regclass"
                        + " ORDER BY 1"));
        assertEquals("PRIMARY KEY (message_id, seq, received_at)",
                operatorList("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                        + " WHERE conrelid = 'mqtt_messages'::regclass AND contype = 'p'"));
    }

    @Test
    void aBatchOfTwoOrganizationsIsWrittenUnderEachOnesScope() throws Exception {
        // Row-level security is forced on mqtt_messages: each organization's rows are inserted only
        // once the transaction is scoped to it (the scope travels with the INSERT, in one round trip).
        OrganizationStore orgs = new OrganizationStore(tenancy);
        Organization a = orgs.create("a");
        Organization b = orgs.create("b");
        UUID ia = integration(a, "a");
        UUID ib = integration(b, "b");
        List<InboundMessage> batch = new ArrayList<>();
        for (UUID[] target : new UUID[][] {{a.id(), ia}, {b.id(), ib}, {a.id(), ia}, {null, null}}) {
            batch.add(new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8),
                    "application/json", Instant.now(), target[0], target[1]));
        }

        writer.write(batch);

        for (InboundMessage m : batch) {
            assertEquals(StoreOutcome.STORED, m.outcome().get());
        }
        String count = "SELECT count(*) FROM mqtt_messages";
        assertEquals(2L, (long) tenancy.inOrg(a.id(), c -> countIn(c, count)), "organization a sees its two rows only");
        assertEquals(1L, (long) tenancy.inOrg(b.id(), c -> countIn(c, count)), "organization b sees its row only");
        assertEquals(4, operatorCount(count), "the operator's row (no organization) too");
    }

    @Test
    void aBatchOfOneOrganizationCommitsItsScopeAndRowsTogetherAndLeavesTheConnectionUnscoped() throws Exception {
        // Such a batch is one round trip: scope and INSERT before one Sync, in PostgreSQL's implicit
        // transaction. One physical connection for every use, so a scope that outlived it would show.
        Organization a = new OrganizationStore(tenancy).create("a");
        UUID ia = integration(a, "a");
        try (Connection only = ds.getConnection()) {
            String loginRole = oneValue(only, "SELECT current_user");
            MessageWriter onOne = new MessageWriter(new OneConnection(only), new DeadLetterStore(ds));
            List<InboundMessage> batch = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                batch.add(new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8),
                        "application/json", Instant.now(), a.id(), ia));
            }

            onOne.write(batch);

            for (InboundMessage m : batch) {
                assertEquals(StoreOutcome.STORED, m.outcome().get());
            }
            assertEquals(true, only.getAutoCommit());
            assertEquals(loginRole, oneValue(only, "SELECT current_user"), "the role ends with the transaction");
            assertEquals("", oneValue(only, "SELECT coalesce(current_setting('mqi.org_id', true), '')"),
                    "the organization's scope ends with the transaction");
            assertEquals("", oneValue(only, "SELECT coalesce(current_setting('mqi.operator', true), '')"));
            assertEquals(3L, (long) tenancy.inOrg(a.id(), c -> countIn(c, "SELECT count(*) FROM mqtt_messages")),
                    "committed: another connection sees the rows");
        }
    }

    private static String oneValue(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Hands out the same physical connection every time; closing what it hands out does nothing. */
    private static final class OneConnection implements DataSource {
        private final Connection connection;

        OneConnection(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Connection getConnection() {
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            return null;
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        @Override
        public Connection getConnection(String user, String password) {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }

    private static long countIn(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void deletingAnIntegrationDeletesItsMessagesAndNoOthers() {
        Organization org = new OrganizationStore(tenancy).create("o");
        UUID gone = integration(org, "gone");
        UUID kept = integration(org, "kept");
        store(org.id(), gone, 3);
        store(org.id(), kept, 2);

        assertEquals(true, tenancy.inOrg(org.id(), c -> integrations.delete(c, org.id(), gone)));

        assertEquals(0, operatorCount("SELECT count(*) FROM mqtt_messages WHERE integration_id = '" + gone + "'"));
        assertEquals(2, operatorCount("SELECT count(*) FROM mqtt_messages WHERE integration_id = '" + kept + "'"));
    }

    @Test
    void deletingAnOrganizationLeavesNoMessageRowsBehind() {
        OrganizationStore orgs = new OrganizationStore(tenancy);
        Organization gone = orgs.create("gone");
        Organization kept = orgs.create("kept");
        store(gone.id(), integration(gone, "a"), 3);
        store(gone.id(), integration(gone, "b"), 2);
        store(kept.id(), integration(kept, "c"), 1);

        tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM organizations WHERE id = ?")) {
                ps.setObject(1, gone.id());
                return ps.executeUpdate();
            }
        });

        assertEquals(0, operatorCount("SELECT count(*) FROM mqtt_messages WHERE organization_id = '" + gone.id() + "'"));
        assertEquals(1, operatorCount("SELECT count(*) FROM mqtt_messages WHERE organization_id = '" + kept.id() + "'"));
    }

    @Test
    void aMessageForAnIntegrationDeletedMeanwhileIsDeadLetteredNotStoredAsAnOrphan() throws Exception {
        // The window of the ingestion's integration cache (at most 1 s): the message was accepted for
        // an integration another node has deleted since.
        Organization org = new OrganizationStore(tenancy).create("o");
        UUID integration = integration(org, "deleted meanwhile");
        tenancy.inOrg(org.id(), c -> integrations.delete(c, org.id(), integration));

        List<InboundMessage> batch = store(org.id(), integration, 1);

        assertEquals(StoreOutcome.DEAD_LETTERED, batch.get(0).outcome().get());
        assertEquals(0, operatorCount("SELECT count(*) FROM mqtt_messages"));
        assertEquals(1, operatorCount("SELECT count(*) FROM dead_letters WHERE integration_id = '" + integration + "'"));
    }
}
