package io.mqttintegration.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.Organization;
import io.mqttintegration.storage.tenants.OrganizationStore;
import io.mqttintegration.storage.tenants.TelemetryStore;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * V10 on a filled table: mqtt_messages of V9 with 40 days of rows (multi-reading messages, raw
 * payloads, units, client message ids, two organizations) becomes a partitioned table without losing
 * or changing a row, the service's queries answer the same, and a client message id stored before
 * the migration still stops a resend received today.
 */
class MessagePartitionsMigrationTest {

    static final String FILL = """
            INSERT INTO mqtt_messages (message_id, seq, organization_id, integration_id, source, topic, payload,
                content_type, device_id, ts, metrics, units, parse_status, received_at, client_message_id)
            SELECT md5(? || g)::uuid, s, ?, ?, 'http', 't/' || (g % 5),
                   CASE WHEN s = 0 THEN convert_to('{"v":' || g || '}', 'UTF8') END, 'application/json',
                   CASE WHEN g % 11 = 0 THEN NULL ELSE 'd-' || (g % 7) END,
                   CASE WHEN g % 11 = 0 THEN NULL ELSE now() - (g % 40) * interval '1 day' - g * interval '1 second' END,
                   CASE WHEN g % 11 = 0 THEN NULL ELSE jsonb_build_object('v', g + s) END,
                   CASE WHEN g % 3 = 0 THEN '{"v": "V"}'::jsonb END,
                   CASE WHEN g % 11 = 0 THEN 'raw' ELSE 'parsed' END,
                   now() - (g % 40) * interval '1 day' - g * interval '1 second',
                   CASE WHEN g % 4 = 0 THEN 'c-' || g END
            FROM generate_series(1, 2000) g, generate_series(0, CASE WHEN g % 11 = 0 THEN 0 ELSE g % 3 END) s
            """;
    private static final String SNAPSHOT = "SELECT message_id, seq, organization_id, integration_id, source, topic,"
            + " md5(payload), content_type, device_id, ts, metrics::text, units::text, parse_status, received_at, stored_at,"
            + " client_message_id FROM mqtt_messages ORDER BY message_id, seq";

    @Test
    void aFilledTableBecomesPartitionedWithEveryRowAndAnswersTheSameQueries() throws Exception {
        DataSource ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds, "9");
        Tenancy tenancy = new Tenancy(ds);
        OrganizationStore orgs = new OrganizationStore(tenancy);
        IntegrationStore integrations = new IntegrationStore(tenancy);
        Organization a = orgs.create("a");
        Organization b = orgs.create("b");
        UUID ia = integration(tenancy, integrations, a);
        UUID ib = integration(tenancy, integrations, b);
        tenancy.asOperator(c -> {
            fill(c, "a", a.id(), ia);
            fill(c, "b", b.id(), ib);
            return null;
        });
        List<String> rowsBefore = operatorRows(tenancy, SNAPSHOT);
        TelemetryStore telemetry = new TelemetryStore(tenancy);
        Instant from = Instant.now().minusSeconds(20 * 86_400);
        Instant to = Instant.now();
        // The telemetry queries need V13's catalog and bounds: their answers before are the plain ones.
        List<String> windowBefore = ReferenceQueries.readings(tenancy, a.id(), ia, from, to, 500);
        List<String> latestBefore = ReferenceQueries.latest(tenancy, a.id(), null);
        List<String> aggregateBefore = ReferenceQueries.dailyCounts(tenancy, a.id(), ia, from, to);
        String messagesBefore = messages(telemetry, a.id(), null);
        String topicBefore = messages(telemetry, b.id(), "t/3");

        assertEquals(1, SchemaMigrations.apply(ds, "10"), "V10");

        assertTrue(rowsBefore.size() > 5000, "the table was filled: " + rowsBefore.size() + " rows");
        assertEquals(rowsBefore, operatorRows(tenancy, SNAPSHOT), "every row, its ids, readings and times, unchanged");
        assertEquals(messagesBefore, messages(telemetry, a.id(), null));
        assertEquals(topicBefore, messages(telemetry, b.id(), "t/3"));
        assertEquals(List.of("p"), operatorRows(tenancy, "SELECT relkind FROM pg_class WHERE relname = 'mqtt_messages'"),
                "mqtt_messages is partitioned");
        assertEquals(List.of(String.valueOf(rowsBefore.size())), operatorRows(tenancy,
                "SELECT count(*) FROM mqtt_messages WHERE tableoid = 'mqtt_messages_legacy'::regclass"), "the old table is the first partition, not a copy");
        assertEquals(List.of("f|t|t"), operatorRows(tenancy, "SELECT has_table_privilege('mqi_app', c.oid, 'SELECT'),"
                + " c.relrowsecurity, c.relforcerowsecurity FROM pg_class c WHERE c.relname = 'mqtt_messages_legacy'"),
                "the old table's grant to the service's role is gone; its forced policy stays");
        assertEquals(List.of("1000"), operatorRows(tenancy, "SELECT count(*) FROM mqtt_client_message_ids"),
                "one key per message with a client id (every fourth of 2 x 2,000)");

        assertEquals(4, SchemaMigrations.apply(ds, "14"), "V11 to V14");
        assertEquals(windowBefore, ReferenceQueries.readings(telemetry.readings(a.id(), ia, null, null, from, to, null, 500)));
        assertEquals(latestBefore, ReferenceQueries.latest(telemetry.latest(a.id(), null)));
        assertEquals(aggregateBefore, ReferenceQueries.dailyCounts(telemetry.aggregate(a.id(), ia, null, "v", from, to, "1 day")));

        // A resend today of a message stored 4 days before the migration, with its client id.
        SchemaMigrations.apply(ds); // the writer writes the latest schema (V16: the sinks' outbox)
        MessageWriter writer = new MessageWriter(ds, new DeadLetterStore(ds));
        InboundMessage resend = new InboundMessage(InboundMessage.Source.HTTP, "t/4", "{}".getBytes(StandardCharsets.UTF_8),
                "application/json", Instant.now(), a.id(), ia, "c-4");
        InboundMessage fresh = new InboundMessage(InboundMessage.Source.HTTP, "t/4", "{}".getBytes(StandardCharsets.UTF_8),
                "application/json", Instant.now(), a.id(), ia, "c-new");
        writer.write(List.of(resend, fresh));
        assertEquals(StoreOutcome.STORED, resend.outcome().get(), "a resend is accepted");
        assertEquals(rowsBefore.size() + 1, operatorRows(tenancy, SNAPSHOT).size(), "and not stored again; the new one is");

        // Deleting an integration still takes its messages and their keys along, in every partition.
        tenancy.inOrg(b.id(), c -> integrations.delete(c, b.id(), ib));
        assertEquals(List.of("0"), operatorRows(tenancy, "SELECT count(*) FROM mqtt_messages WHERE organization_id = '"
                + b.id() + "'"));
        assertEquals(List.of("0"), operatorRows(tenancy, "SELECT count(*) FROM mqtt_client_message_ids WHERE"
                + " organization_id = '" + b.id() + "'"));
    }

    @Test
    void anEmptyTableIsReplacedByMonthlyPartitionsAndADefault() {
        DataSource ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        Tenancy tenancy = new Tenancy(ds);
        List<String> partitions = operatorRows(tenancy, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = 'mqtt_messages'::regclass ORDER BY 1");
        assertEquals(3, partitions.size(), "this month, the next and the default: " + partitions);
        assertEquals("mqtt_messages_default", partitions.get(0));
        assertEquals(List.of(), operatorRows(tenancy, "SELECT 1 FROM pg_class WHERE relname = 'mqtt_messages_legacy'"),
                "an empty table is not kept as a partition");
    }

    static UUID integration(Tenancy tenancy, IntegrationStore integrations, Organization org) {
        UUID id = MessageIds.next();
        tenancy.inOrg(org.id(), c -> integrations.insert(c, new IntegrationRecord(id, org.id(), org.name(), "mqtt", "{}", null,
                true, null, null)));
        return id;
    }

    static void fill(Connection c, String salt, UUID org, UUID integration) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FILL)) {
            ps.setString(1, salt);
            ps.setObject(2, org);
            ps.setObject(3, integration);
            ps.executeUpdate();
        }
    }

    private static String messages(TelemetryStore telemetry, UUID org, String topic) {
        List<String> out = new ArrayList<>();
        for (TelemetryStore.Message m : telemetry.messages(org, null, topic, null, null, null, null, 1000)) {
            out.add(m.messageId() + " " + m.topic() + " " + m.receivedAt() + " " + m.parseStatus() + " "
                    + new String(m.payload(), StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    static List<String> operatorRows(Tenancy tenancy, String sql) {
        return tenancy.asOperator(c -> {
            List<String> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= n; i++) {
                        row.append(i > 1 ? "|" : "").append(rs.getString(i));
                    }
                    rows.add(row.toString());
                }
            }
            return rows;
        });
    }
}
