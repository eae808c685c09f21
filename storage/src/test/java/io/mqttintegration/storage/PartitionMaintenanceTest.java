package io.mqttintegration.storage;

import static io.mqttintegration.storage.MessagePartitionsMigrationTest.operatorRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
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
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Partitions of mqtt_messages made ahead of time, and rows of a day without one kept and moved in. */
class PartitionMaintenanceTest {

    /** A day far from the migration's own partitions (this month and the next). */
    private static final Instant DAY = Instant.parse("2031-03-30T10:00:00Z");

    private DataSource ds;
    private Tenancy tenancy;
    private MessageWriter writer;
    private Organization org;
    private UUID integration;

    @BeforeEach
    void setUp() {
        ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        tenancy = new Tenancy(ds);
        writer = new MessageWriter(ds, new DeadLetterStore(ds));
        org = new OrganizationStore(tenancy).create("a");
        integration = MessageIds.next();
        tenancy.inOrg(org.id(), c -> new IntegrationStore(tenancy).insert(c, new IntegrationRecord(integration, org.id(), "a",
                "mqtt", "{}", null, true, null, null)));
    }

    private PartitionMaintenance at(Instant now) {
        return new PartitionMaintenance(ds, Clock.fixed(now, ZoneOffset.UTC), 7, Duration.ofMillis(200));
    }

    private InboundMessage store(Instant receivedAt) throws Exception {
        InboundMessage m = new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8),
                "application/json", receivedAt, org.id(), integration);
        writer.write(List.of(m));
        assertEquals(StoreOutcome.STORED, m.outcome().get());
        return m;
    }

    private String partitionOf(InboundMessage m) {
        return operatorRows(tenancy, "SELECT tableoid::regclass FROM mqtt_messages WHERE message_id = '" + m.id() + "'").get(0);
    }

    @Test
    void makesTheMonthsOfTodayAndTheNextDaysOnceEach() throws Exception {
        PartitionMaintenance maintenance = at(DAY);

        assertEquals(List.of("mqtt_messages_p203103", "mqtt_messages_p203104"), maintenance.createAhead(),
                "March 30 and the next 7 days: March and April");
        assertEquals(List.of(), maintenance.createAhead(), "a second run makes nothing");
        assertEquals(List.of(), at(DAY.plus(Duration.ofDays(1))).createAhead(), "the next day's run: April is there");
        assertEquals(List.of("mqtt_messages_p203105"), at(Instant.parse("2031-04-24T06:00:00Z")).createAhead(),
                "a week before May, its partition");

        assertEquals("mqtt_messages_p203103", partitionOf(store(Instant.parse("2031-03-31T23:59:59.999999Z"))));
        assertEquals("mqtt_messages_p203104", partitionOf(store(Instant.parse("2031-04-01T00:00:00Z"))),
                "a month starts at 00:00 UTC on its first day");
        PartitionMaintenance.Partition listed = maintenance.partitions().stream()
                .filter(p -> p.name().equals("mqtt_messages_p203104")).findFirst().orElseThrow();
        assertEquals(Instant.parse("2031-04-01T00:00:00Z"), listed.from());
        assertEquals(Instant.parse("2031-05-01T00:00:00Z"), listed.to());
        assertTrue(listed.bytes() > 0, "its indexes take pages even while empty");
        PartitionMaintenance.Partition last = maintenance.partitions().get(maintenance.partitions().size() - 1);
        assertTrue(last.isDefault() && last.name().equals("mqtt_messages_default"), "the default partition is listed last");
    }

    @Test
    void aRowOfAMonthWithoutPartitionIsKeptInTheDefaultAndMovedIntoItsMonthWhenThatIsMade() throws Exception {
        InboundMessage early = store(Instant.parse("2031-04-02T08:00:00Z"));
        assertEquals("mqtt_messages_default", partitionOf(early), "no partition yet: stored all the same");
        String before = operatorRows(tenancy, "SELECT message_id, seq, metrics, received_at, stored_at FROM mqtt_messages").toString();

        at(DAY).createAhead();

        assertEquals("mqtt_messages_p203104", partitionOf(early), "moved into its month's partition");
        assertEquals(before, operatorRows(tenancy, "SELECT message_id, seq, metrics, received_at, stored_at FROM mqtt_messages")
                .toString(), "the same row, once");
    }

    @Test
    void aMessageSentAgainInTheNextMonthLandsInAnotherPartitionAndIsStillStoredOnce() throws Exception {
        at(DAY).createAhead();
        InboundMessage first = new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8),
                "application/json", Instant.parse("2031-03-30T23:59:59Z"), org.id(), integration, "gw-1:42");
        InboundMessage again = new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8),
                "application/json", Instant.parse("2031-04-03T08:00:00Z"), org.id(), integration, "gw-1:42");
        InboundMessage other = new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8),
                "application/json", Instant.parse("2031-04-03T08:00:00Z"), org.id(), integration, "gw-1:43");
        writer.write(List.of(first));
        writer.write(List.of(again, other));

        assertEquals(StoreOutcome.STORED, again.outcome().get(), "accepted like the first time");
        assertEquals(List.of("mqtt_messages_p203103|gw-1:42", "mqtt_messages_p203104|gw-1:43"), operatorRows(tenancy,
                "SELECT tableoid::regclass, client_message_id FROM mqtt_messages ORDER BY 1"),
                "the copy received four days later, in the next month's partition, is not stored");
    }

    @Test
    void twoNodesMakingTheSameMonthsAtOnceMakeEachOnce() throws Exception {
        java.util.concurrent.ExecutorService nodes = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Future<List<String>> a = nodes.submit(() -> at(DAY).createAhead());
            java.util.concurrent.Future<List<String>> b = nodes.submit(() -> at(DAY).createAhead());
            List<String> made = new java.util.ArrayList<>(a.get());
            made.addAll(b.get());
            java.util.Collections.sort(made);
            assertEquals(2, made.size(), "each month made by one node, none failed: " + made);
            assertEquals(2, new java.util.HashSet<>(made).size(), made.toString());
        } finally {
            nodes.shutdownNow();
        }
    }

    @Test
    void aMonthWhoseLocksAreBusyIsLeftForTheNextRunWithoutBlockingIt() throws Exception {
        try (Connection holder = ds.getConnection(); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("LOCK TABLE mqtt_messages_default IN ACCESS EXCLUSIVE MODE");

            assertEquals(List.of(), at(DAY).createAhead(), "each month gave up after the lock timeout instead of waiting");
            holder.rollback();
        }
        assertEquals(2, at(DAY).createAhead().size(), "the next run makes them");
    }
}
