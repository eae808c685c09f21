package io.mqttintegration.storage.tenants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.storage.Tenancy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exports read through a server-side cursor inside one organization's transaction, and give it back. */
class ExportCursorTest {

    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    private DataSource ds;
    private TelemetryStore store;
    private UUID a;
    private UUID b;
    private UUID integrationA;

    @BeforeEach
    void setUp() throws Exception {
        ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        Tenancy tenancy = new Tenancy(ds);
        OrganizationStore orgs = new OrganizationStore(tenancy);
        IntegrationStore integrations = new IntegrationStore(tenancy);
        a = orgs.create("a").id();
        b = orgs.create("b").id();
        integrationA = MessageIds.next();
        tenancy.inOrg(a, c -> integrations.insert(c, new IntegrationRecord(integrationA, a, "broker", "mqtt", "{}", null, true,
                null, null)));
        store = new TelemetryStore(tenancy);
        // 2,500 messages of one reading each, one per second, devices d-0..d-4, inserted newest first.
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO mqtt_messages (message_id, seq, organization_id, integration_id, source, topic, payload,"
                    + " device_id, ts, metrics, parse_status, received_at)"
                    + " SELECT gen_random_uuid(), 0, '" + a + "', '" + integrationA + "', 'mqtt', 't/' || (i % 5), '{}'::bytea,"
                    + " 'd-' || (i % 5), timestamptz '" + T0 + "' + i * interval '1 second', jsonb_build_object('v', i), 'parsed',"
                    + " timestamptz '" + T0 + "' + i * interval '1 second' FROM generate_series(2499, 0, -1) i");
        }
    }

    private <T> List<T> all(ExportCursor<T> cursor) {
        List<T> rows = new ArrayList<>();
        for (T row = cursor.next(); row != null; row = cursor.next()) {
            rows.add(row);
        }
        assertTrue(cursor.isClosed(), "the cursor closes itself after its last row");
        return rows;
    }

    @Test
    void readsEveryRowOfTheRangeOldestFirstAcrossFetches() {
        List<TelemetryStore.Received> rows = all(store.exportReadings(a, integrationA, null, T0.plusSeconds(10), T0.plusSeconds(2010)));
        assertEquals(2000, rows.size(), "from inclusive, to exclusive, more rows than one fetch");
        assertEquals(T0.plusSeconds(10), rows.get(0).receivedAt());
        assertEquals(T0.plusSeconds(2009), rows.get(1999).receivedAt());
        for (int i = 1; i < rows.size(); i++) {
            assertTrue(rows.get(i - 1).receivedAt().isBefore(rows.get(i).receivedAt()), "oldest first at " + i);
        }
        assertEquals("{\"v\": 10}", rows.get(0).reading().metricsJson());
        List<TelemetryStore.Received> d3 = all(store.exportReadings(a, integrationA, "d-3", T0, T0.plusSeconds(100)));
        assertEquals(20, d3.size());
        assertTrue(d3.stream().allMatch(r -> r.reading().deviceId().equals("d-3")));
        assertEquals(2500, all(store.exportMessages(a, integrationA, T0, T0.plusSeconds(5000))).size());
    }

    @Test
    void anotherOrganizationReadsNothingOfIt() {
        assertEquals(0, all(store.exportReadings(b, integrationA, null, T0, T0.plusSeconds(5000))).size());
        assertEquals(0, all(store.exportMessages(b, integrationA, T0, T0.plusSeconds(5000))).size());
    }

    @Test
    void holdsOneTransactionWhileOpenAndEndsItOnClose() throws Exception {
        ExportCursor<TelemetryStore.Received> cursor = store.exportReadings(a, integrationA, null, T0, T0.plusSeconds(5000));
        assertEquals(T0, cursor.next().receivedAt());
        assertEquals(1, openExports(), "idle in transaction between fetches");
        cursor.close();
        cursor.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (openExports() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, openExports(), "closed: no transaction left open");
    }

    @Test
    void aCursorClosedFromAnotherThreadStopsReading() throws Exception {
        ExportCursor<TelemetryStore.Received> cursor = store.exportReadings(a, integrationA, null, T0, T0.plusSeconds(5000));
        cursor.next();
        Thread closer = new Thread(cursor::close);
        closer.start();
        closer.join();
        assertTrue(cursor.isClosed());
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, cursor::next);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void theQueryWalksTheReceiveTimeIndexInsteadOfSortingTheWholeRange() throws Exception {
        for (String name : List.of("export-readings", "export-messages")) {
            List<String> plan = new Tenancy(ds).inOrg(a, c -> {
                try (Statement st = c.createStatement()) {
                    st.execute(ExportCursor.PLANNER_SETTINGS);
                }
                try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + io.mqttintegration.storage.SqlFiles.load(name))) {
                    int i = 1;
                    ps.setObject(i++, a);
                    ps.setObject(i++, integrationA);
                    if (name.equals("export-readings")) {
                        ps.setObject(i++, null, java.sql.Types.VARCHAR);
                        ps.setObject(i++, null, java.sql.Types.VARCHAR);
                    }
                    ps.setObject(i++, T0.atOffset(java.time.ZoneOffset.UTC));
                    ps.setObject(i, T0.plusSeconds(100_000).atOffset(java.time.ZoneOffset.UTC));
                    List<String> lines = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            lines.add(rs.getString(1));
                        }
                    }
                    return lines;
                }
            });
            String text = String.join("\n", plan);
            // A partition's copy of mqtt_messages_received (integration_id, received_at DESC) or, for messages,
            // of the partial mqtt_messages_org_received (organization_id, received_at DESC) WHERE seq = 0
            // (partitions name their indexes after their columns): both in receive-time order.
            assertTrue(plan.get(0).startsWith("Incremental Sort")
                    && text.matches("(?s).*Presorted Key: (mqtt_messages\\.)?received_at\\b.*")
                    && text.matches("(?s).*Index Scan Backward using mqtt_messages\\w*_received\\w* .*"),
                    name + ": rows in index order, sorted only within one receive time:\n" + text);
        }
    }

    /** Backends of this database whose last query is an export and whose transaction is still open. */
    private long openExports() throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        + " AND query LIKE '-- telemetry-export%' AND state <> 'idle'");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
