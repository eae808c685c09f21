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
import java.time.LocalDate;
import java.time.ZoneOffset;
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
    /** Noon UTC on the 15th of the month n months before this one: well inside that month's partition. */
    private Instant monthsAgo(int n) {
        return LocalDate.ofInstant(now, ZoneOffset.UTC).withDayOfMonth(15).minusMonths(n).atTime(12, 0).toInstant(ZoneOffset.UTC);
    }

    /** A day ago: this month's partition, or the last one's on the 1st. */
    private Instant recently() {
        return now.minus(Duration.ofDays(1));
    }

    @BeforeEach
    void setUp() {
        ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        tenancy = new Tenancy(ds);
        orgs = new OrganizationStore(tenancy);
        writer = new MessageWriter(ds, new DeadLetterStore(ds));
        // The partitions of the last 8 months (the service makes them ahead; these months were ahead once).
        Instant start = monthsAgo(8);
        partitions = new PartitionMaintenance(ds, Clock.fixed(start, ZoneOffset.UTC),
                (int) Duration.between(start, now).toDays() + 1, Duration.ofSeconds(5));
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

    /** The organization's rows received in the hour around the time. */
    private long rows(Tenant t, Instant at) {
        return Long.parseLong(operatorRows(tenancy, "SELECT count(*) FROM mqtt_messages WHERE organization_id = '" + t.org()
                + "' AND received_at >= '" + at.minus(Duration.ofMinutes(30)) + "' AND received_at < '"
                + at.plus(Duration.ofMinutes(30)) + "'").get(0));
    }

    private long keys(Tenant t) {
        return Long.parseLong(operatorRows(tenancy, "SELECT count(*) FROM mqtt_client_message_ids WHERE organization_id = '"
                + t.org() + "'").get(0));
    }

    private boolean exists(String partition) {
        return !operatorRows(tenancy, "SELECT 1 FROM pg_class WHERE relname = '" + partition + "'").isEmpty();
    }

    private static String partitionOf(Instant t) {
        return "mqtt_messages_p" + t.atZone(ZoneOffset.UTC).toLocalDate().toString().substring(0, 7).replace("-", "");
    }

    @Test
    void anOrganizationsShorterRetentionTakesItsRowsAndLeavesTheOthers() throws Exception {
        Tenant shortLived = tenant("short", 40);
        Tenant byDefault = tenant("default", null);
        Instant old = monthsAgo(2); // 46 to 77 days ago
        store(shortLived, old, 7);
        store(byDefault, old, 2);
        store(shortLived, recently(), 2);
        store(byDefault, recently(), 2);

        RetentionPurge.Result result = purge(100, 3).run().orElseThrow();

        assertEquals(0, rows(shortLived, old), "past the organization's 40 days: gone (7 messages in 3 batches of 3)");
        assertEquals(14, result.deletedRows(), "7 messages of 2 readings");
        assertEquals(4, rows(byDefault, old), "within the default's 100 days: kept");
        assertTrue(exists(partitionOf(old)), "the partition stays: another organization keeps rows in it");
        assertEquals(4, rows(shortLived, recently()));
        assertEquals(4, rows(byDefault, recently()));
        assertEquals(2, keys(shortLived), "the expired messages' client ids went with them");
        assertEquals(4, keys(byDefault));
        assertEquals(0, purge(100, 3).run().orElseThrow().deletedRows(), "nothing left to delete");
    }

    @Test
    void aPartitionExpiredForEveryOrganizationInItIsDroppedWhole() throws Exception {
        Tenant shortLived = tenant("short", 40);
        Tenant byDefault = tenant("default", null);
        Tenant forever = tenant("forever", 0);
        Instant expired = monthsAgo(6); // its partition ends 122 to 153 days ago
        Instant mixed = monthsAgo(4);
        store(shortLived, expired, 3);
        store(byDefault, expired, 3);
        store(shortLived, mixed, 1);
        store(forever, mixed, 1);
        store(byDefault, recently(), 1);

        RetentionPurge purge = purge(100, 100);
        RetentionPurge.Result result = purge.run().orElseThrow();

        assertFalse(exists(partitionOf(expired)), "past 40 and past the default 100 days: dropped");
        assertTrue(result.droppedPartitions().contains(partitionOf(expired)), result.toString());
        assertFalse(exists(partitionOf(monthsAgo(7))), "an empty partition past the shortest retention goes too: no row is in it");
        assertTrue(exists(partitionOf(mixed)), "an organization that keeps forever has rows in it");
        assertEquals(2, rows(forever, mixed), "kept forever");
        assertEquals(0, rows(shortLived, mixed), "its neighbour's expired rows deleted in the same partition");
        assertTrue(exists(partitionOf(monthsAgo(1))), "empty, but it ends within the shortest retention (40 days): kept");
        assertEquals(2, rows(byDefault, recently()));
        assertEquals(0, keys(shortLived));
        assertEquals(1, keys(byDefault));
        assertEquals(result, purge.last().orElseThrow(), "the last purge is kept for /metrics and mqtt:storage");
    }

    @Test
    void keepingForeverByDefaultDeletesOnlyWhatAnOrganizationAskedFor() throws Exception {
        Tenant byDefault = tenant("default", null);
        Tenant shortLived = tenant("short", 40);
        Instant old = monthsAgo(3);
        store(byDefault, old, 1);
        store(shortLived, old, 1);

        RetentionPurge.Result result = purge(0, 100).run().orElseThrow();

        assertEquals(2, rows(byDefault, old), "the shipped default, 0, keeps everything");
        assertEquals(0, rows(shortLived, old));
        assertTrue(exists(partitionOf(old)), "it holds rows kept forever");
        assertFalse(result.droppedPartitions().contains(partitionOf(old)), result.toString());
    }

    @Test
    void oneNodePurgesAtATime() throws Exception {
        Tenant shortLived = tenant("short", 40);
        Instant old = monthsAgo(4); // its partition ends 61 to 92 days ago
        store(shortLived, old, 1);
        try (Connection other = ds.getConnection(); Statement st = other.createStatement()) {
            st.execute("SELECT pg_advisory_lock(hashtext('mqi_retention_purge'))");

            assertTrue(purge(0, 100).run().isEmpty(), "another node holds the purge");
            assertEquals(2, rows(shortLived, old));
            st.execute("SELECT pg_advisory_unlock(hashtext('mqi_retention_purge'))");
        }
        RetentionPurge.Result next = purge(0, 100).run().orElseThrow();
        assertEquals(List.of(partitionOf(old)), next.droppedPartitions().stream()
                .filter(p -> p.equals(partitionOf(old))).toList(), "the next run purges: " + next);
        assertEquals(0, rows(shortLived, old));
    }

    @Test
    void expiredRowsInTheDefaultPartitionAreDeletedToo() throws Exception {
        Tenant shortLived = tenant("short", 40);
        Instant old = monthsAgo(10);
        store(shortLived, old, 2);
        assertEquals(List.of("mqtt_messages_default"), operatorRows(tenancy,
                "SELECT DISTINCT tableoid::regclass FROM mqtt_messages"), "10 months ago has no partition");

        purge(0, 100).run().orElseThrow();

        assertEquals(0, rows(shortLived, old));
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
