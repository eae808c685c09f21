package io.mqttintegration.storage;

import static io.mqttintegration.storage.MessagePartitionsMigrationTest.operatorRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Reading;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.Organization;
import io.mqttintegration.storage.tenants.OrganizationStore;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retention against real partitions: per organization and the node's default, whole partitions
 * dropped only when every organization in them lets their rows go, batched deletes otherwise, the
 * default partition, client message ids, dead letters and the activity log.
 */
class RetentionPurgeTest {

    private DataSource ds;
    private Tenancy tenancy;
    private OrganizationStore orgs;
    private MessageWriter writer;
    private PartitionMaintenance partitions;
    private final Instant now = Instant.now();
    /** Noon UTC, n days ago: well inside that day's partition. */
    private Instant daysAgo(int n) {
        return now.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(12)).minus(Duration.ofDays(n));
    }

    @BeforeEach
    void setUp() {
        ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        tenancy = new Tenancy(ds);
        orgs = new OrganizationStore(tenancy);
        writer = new MessageWriter(ds, new DeadLetterStore(ds));
        // The partitions of the last 20 days (the service makes them ahead; these days were ahead once).
        partitions = new PartitionMaintenance(ds, Clock.fixed(daysAgo(20), ZoneOffset.UTC), 21, Duration.ofSeconds(5));
        partitions.createAhead();
    }

    private RetentionPurge purge(int defaultDays, int batchSize) {
        return new RetentionPurge(ds, partitions, Clock.fixed(now, ZoneOffset.UTC),
                new RetentionPurge.Settings(defaultDays, 0, 0, batchSize, Duration.ZERO, Duration.ofSeconds(5)));
    }

    private record Tenant(UUID org, UUID integration) {
    }

    private Tenant tenant(String name, Integer retentionDays) {
        Organization org = orgs.create(name);
        UUID integration = MessageIds.next();
        tenancy.inOrg(org.id(), c -> new IntegrationStore(tenancy).insert(c, new IntegrationRecord(integration, org.id(), name,
                "mqtt", "{}", null, true, null, null)));
        orgs.setRetentionDays(org.id(), retentionDays);
        return new Tenant(org.id(), integration);
    }

    /** n messages of two readings each, received at the given time, each with a client message id. */
    private void store(Tenant t, Instant receivedAt, int n) throws Exception {
        List<InboundMessage> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            InboundMessage m = new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8),
                    "application/json", receivedAt, t.org(), t.integration(), UUID.randomUUID().toString());
            m.parsed(List.of(new Reading("d", receivedAt, Map.of("v", 1)), new Reading("d", receivedAt, Map.of("v", 2))));
            batch.add(m);
        }
        writer.write(batch);
        for (InboundMessage m : batch) {
            assertEquals(StoreOutcome.STORED, m.outcome().get());
        }
    }

    private long rows(Tenant t, int daysAgo) {
        return Long.parseLong(operatorRows(tenancy, "SELECT count(*) FROM mqtt_messages WHERE organization_id = '" + t.org()
                + "' AND received_at >= '" + daysAgo(daysAgo).minus(Duration.ofHours(12)) + "' AND received_at < '"
                + daysAgo(daysAgo).plus(Duration.ofHours(12)) + "'").get(0));
    }

    private long keys(Tenant t) {
        return Long.parseLong(operatorRows(tenancy, "SELECT count(*) FROM mqtt_client_message_ids WHERE organization_id = '"
                + t.org() + "'").get(0));
    }

    private boolean exists(String partition) {
        return !operatorRows(tenancy, "SELECT 1 FROM pg_class WHERE relname = '" + partition + "'").isEmpty();
    }

    private static String partitionOf(Instant t) {
        return "mqtt_messages_p" + t.atZone(ZoneOffset.UTC).toLocalDate().toString().replace("-", "");
    }

    @Test
    void anOrganizationsShorterRetentionTakesItsRowsAndLeavesTheOthers() throws Exception {
        Tenant shortLived = tenant("short", 3);
        Tenant byDefault = tenant("default", null);
        store(shortLived, daysAgo(5), 7);
        store(byDefault, daysAgo(5), 2);
        store(shortLived, daysAgo(1), 2);
        store(byDefault, daysAgo(1), 2);

        RetentionPurge.Result result = purge(10, 3).run().orElseThrow();

        assertEquals(0, rows(shortLived, 5), "5 days old, past the organization's 3 days: gone (7 messages in 3 batches of 3)");
        assertEquals(14, result.deletedRows(), "7 messages of 2 readings");
        assertEquals(4, rows(byDefault, 5), "within the default's 10 days: kept");
        assertTrue(exists(partitionOf(daysAgo(5))), "the partition stays: another organization keeps rows in it");
        assertEquals(4, rows(shortLived, 1));
        assertEquals(4, rows(byDefault, 1));
        assertEquals(2, keys(shortLived), "the expired messages' client ids went with them");
        assertEquals(4, keys(byDefault));
        assertEquals(0, purge(10, 3).run().orElseThrow().deletedRows(), "nothing left to delete");
    }

    @Test
    void aPartitionExpiredForEveryOrganizationInItIsDroppedWhole() throws Exception {
        Tenant shortLived = tenant("short", 3);
        Tenant byDefault = tenant("default", null);
        Tenant forever = tenant("forever", 0);
        store(shortLived, daysAgo(15), 3);
        store(byDefault, daysAgo(15), 3);
        store(shortLived, daysAgo(12), 1);
        store(forever, daysAgo(12), 1);
        store(byDefault, daysAgo(2), 1);

        RetentionPurge purge = purge(10, 100);
        RetentionPurge.Result result = purge.run().orElseThrow();

        assertFalse(exists(partitionOf(daysAgo(15))), "15 days old: past 3 and past the default 10: dropped");
        assertTrue(result.droppedPartitions().contains(partitionOf(daysAgo(15))), result.toString());
        assertFalse(exists(partitionOf(daysAgo(18))), "an empty partition past the shortest retention goes too: no row is in it");
        assertTrue(exists(partitionOf(daysAgo(12))), "an organization that keeps forever has rows in it");
        assertEquals(2, rows(forever, 12), "kept forever");
        assertEquals(0, rows(shortLived, 12), "its neighbour's expired rows deleted in the same partition");
        assertTrue(exists(partitionOf(daysAgo(1))), "empty, but within the shortest retention (3 days): kept");
        assertEquals(2, rows(byDefault, 2));
        assertEquals(0, keys(shortLived));
        assertEquals(1, keys(byDefault));
        assertEquals(result, purge.last().orElseThrow(), "the last purge is kept for /metrics and mqtt:storage");
    }

    @Test
    void keepingForeverByDefaultDeletesOnlyWhatAnOrganizationAskedFor() throws Exception {
        Tenant byDefault = tenant("default", null);
        Tenant shortLived = tenant("short", 3);
        store(byDefault, daysAgo(15), 1);
        store(shortLived, daysAgo(15), 1);

        RetentionPurge.Result result = purge(0, 100).run().orElseThrow();

        assertEquals(2, rows(byDefault, 15), "the shipped default, 0, keeps everything");
        assertEquals(0, rows(shortLived, 15));
        assertTrue(exists(partitionOf(daysAgo(15))), "it holds rows kept forever");
        assertFalse(result.droppedPartitions().contains(partitionOf(daysAgo(15))), result.toString());
    }

    @Test
    void oneNodePurgesAtATime() throws Exception {
        Tenant shortLived = tenant("short", 3);
        store(shortLived, daysAgo(5), 1);
        try (Connection other = ds.getConnection(); Statement st = other.createStatement()) {
            st.execute("SELECT pg_advisory_lock(hashtext('mqi_retention_purge'))");

            assertTrue(purge(0, 100).run().isEmpty(), "another node holds the purge");
            assertEquals(2, rows(shortLived, 5));
            st.execute("SELECT pg_advisory_unlock(hashtext('mqi_retention_purge'))");
        }
        RetentionPurge.Result next = purge(0, 100).run().orElseThrow();
        assertEquals(List.of(partitionOf(daysAgo(5))), next.droppedPartitions().stream()
                .filter(p -> p.equals(partitionOf(daysAgo(5)))).toList(), "the next run purges: " + next);
        assertEquals(0, rows(shortLived, 5));
    }

    @Test
    void expiredRowsInTheDefaultPartitionAreDeletedToo() throws Exception {
        Tenant shortLived = tenant("short", 3);
        store(shortLived, daysAgo(40), 2);
        assertEquals(List.of("mqtt_messages_default"), operatorRows(tenancy,
                "SELECT DISTINCT tableoid::regclass FROM mqtt_messages"), "40 days ago has no partition");

        purge(0, 100).run().orElseThrow();

        assertEquals(0, rows(shortLived, 40));
        assertTrue(exists("mqtt_messages_default"), "the default partition is never dropped");
    }

    @Test
    void deadLettersAndTheActivityLogHaveTheirOwnRetention() throws Exception {
        Tenant t = tenant("a", null);
        DeadLetterStore deadLetters = new DeadLetterStore(ds);
        ActivityLog activity = new ActivityLog(tenancy);
        for (int i = 0; i < 5; i++) {
            deadLetters.store(new InboundMessage(InboundMessage.Source.HTTP, "t", new byte[] {1}, null, now, t.org(),
                    t.integration()), "refused", "test");
            activity.record(t.org(), t.integration(), null, "operator", "test", "ok", "{}");
        }
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SELECT set_config('mqi.operator', 'on', true)");
            st.execute("UPDATE dead_letters SET created_at = now() - interval '8 days' WHERE ctid IN (SELECT ctid FROM dead_letters LIMIT 3)");
            st.execute("UPDATE activity_log SET created_at = now() - interval '31 days' WHERE id IN (SELECT id FROM activity_log LIMIT 4)");
            c.commit();
        }

        RetentionPurge.Result result = new RetentionPurge(ds, partitions, Clock.fixed(now, ZoneOffset.UTC),
                new RetentionPurge.Settings(0, 7, 30, 2, Duration.ofMillis(1), Duration.ofSeconds(5))).run().orElseThrow();

        assertEquals(3, result.deadLetters(), "older than 7 days, in batches of 2");
        assertEquals(4, result.activity(), "older than 30 days");
        assertEquals(List.of("2"), operatorRows(tenancy, "SELECT count(*) FROM dead_letters"));
        assertEquals(List.of("1"), operatorRows(tenancy, "SELECT count(*) FROM activity_log"));
    }
}
