package io.mqttintegration.storage;

import static io.mqttintegration.storage.MessagePartitionsMigrationTest.operatorRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Reading;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.Organization;
import io.mqttintegration.storage.tenants.OrganizationStore;
import io.mqttintegration.storage.tenants.TelemetryStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * V13 on a filled database (40 days of rows over two or three receive months, two organizations):
 * the device catalog holds every device of the existing rows once, the ts bounds every receive
 * month's exact bounds, and the telemetry queries that read them answer as the plain queries did
 * before the migration.
 */
class TelemetryCatalogMigrationTest {

    private static final String CATALOG = "SELECT organization_id || '/' || integration_id || '/' || device_id";
    private static final String BOUNDS = "month || '|' || min_ts || '|' || max_ts";

    @Test
    void theCatalogAndTheBoundsAreFilledFromTheExistingRows() throws Exception {
        DataSource ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds, "12");
        Tenancy tenancy = new Tenancy(ds);
        OrganizationStore orgs = new OrganizationStore(tenancy);
        IntegrationStore integrations = new IntegrationStore(tenancy);
        Organization a = orgs.create("a");
        Organization b = orgs.create("b");
        UUID ia = MessagePartitionsMigrationTest.integration(tenancy, integrations, a);
        UUID ib = MessagePartitionsMigrationTest.integration(tenancy, integrations, b);
        tenancy.asOperator(c -> {
            MessagePartitionsMigrationTest.fill(c, "a", a.id(), ia);
            MessagePartitionsMigrationTest.fill(c, "b", b.id(), ib);
            return null;
        });
        List<String> devices = operatorRows(tenancy, CATALOG + " FROM mqtt_messages WHERE device_id IS NOT NULL GROUP BY 1 ORDER BY 1");
        List<String> months = operatorRows(tenancy, "SELECT date_trunc('month', received_at AT TIME ZONE 'UTC')::date || '|'"
                + " || min(ts) || '|' || max(ts) FROM mqtt_messages WHERE ts IS NOT NULL GROUP BY date_trunc('month', received_at"
                + " AT TIME ZONE 'UTC') ORDER BY 1");
        Instant from = Instant.now().minusSeconds(30 * 86_400);
        Instant to = Instant.now();
        List<String> latest = ReferenceQueries.latest(tenancy, a.id(), ia);
        List<String> window = ReferenceQueries.readings(tenancy, a.id(), null, from, to, 2000);
        List<String> daily = ReferenceQueries.dailyCounts(tenancy, b.id(), ib, from, to);

        assertEquals(2, SchemaMigrations.apply(ds, "14"), "V13 and V14");

        assertEquals(14, devices.size(), "seven devices in each of two organizations: " + devices);
        assertEquals(devices, operatorRows(tenancy, CATALOG + " FROM mqtt_device_catalog ORDER BY 1"), "each device once");
        assertEquals(List.of("0"), operatorRows(tenancy, "SELECT count(*) FROM mqtt_device_catalog c WHERE first_seen <>"
                + " (SELECT min(received_at) FROM mqtt_messages m WHERE m.organization_id = c.organization_id"
                + " AND m.integration_id = c.integration_id AND m.device_id = c.device_id)"), "first seen: its first receive time");
        assertFalse(months.size() < 2, "40 days span at least two receive months: " + months);
        assertEquals(months, operatorRows(tenancy, "SELECT " + BOUNDS + " FROM mqtt_ts_bounds ORDER BY 1"));

        TelemetryStore telemetry = new TelemetryStore(tenancy);
        assertEquals(7, latest.size());
        assertEquals(latest, ReferenceQueries.latest(telemetry.latest(a.id(), ia)), "the newest reading of each device, as before");
        assertEquals(latest, ReferenceQueries.latest(telemetry.latest(a.id(), null)));
        assertFalse(window.size() < 1000, "a window over most rows: " + window.size());
        assertEquals(window, ReferenceQueries.readings(telemetry.readings(a.id(), null, null, null, from, to, null, 2000)));
        assertFalse(daily.size() < 29, daily.toString());
        assertEquals(daily, ReferenceQueries.dailyCounts(telemetry.aggregate(b.id(), ib, null, "v", from, to, "1 day")));

        // The writer goes on from there: a known device adds no row, a new one does.
        SchemaMigrations.apply(ds); // the writer writes the latest schema (V16: the sinks' outbox)
        MessageWriter writer = new MessageWriter(ds, new DeadLetterStore(ds));
        InboundMessage m = new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8),
                "application/json", Instant.now(), a.id(), ia);
        m.parsed(List.of(new Reading("d-1", Instant.now(), Map.of("v", 1)), new Reading("d-new", Instant.now(), Map.of("v", 2))));
        writer.write(List.of(m));
        assertEquals(StoreOutcome.STORED, m.outcome().get());
        assertEquals(List.of("15"), operatorRows(tenancy, "SELECT count(*) FROM mqtt_device_catalog"));
    }
}
