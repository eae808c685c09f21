package io.mqttintegration.storage.sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Reading;
import io.mqttintegration.storage.DeadLetterStore;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.MessageWriter;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.storage.StoreOutcome;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.OrganizationStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox on a real PostgreSQL: a stored message enters the outbox of each matching sink in the
 * statement that stores it (nothing else does), and the delivering side reads, retries, dead-letters
 * and bounds it, one node per sink.
 */
class SinkOutboxTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    private DataSource ds;
    private Tenancy tenancy;
    private SinkStore sinks;
    private SinkOutbox outbox;
    private MessageWriter writer;
    private UUID org;
    private UUID integration;
    private UUID other;

    @BeforeEach
    void setUp() {
        ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        tenancy = new Tenancy(ds);
        sinks = new SinkStore(tenancy);
        outbox = new SinkOutbox(tenancy);
        writer = new MessageWriter(ds, new DeadLetterStore(ds));
        IntegrationStore integrations = new IntegrationStore(tenancy);
        org = new OrganizationStore(tenancy).create("acme").id();
        integration = MessageIds.next();
        other = MessageIds.next();
        for (UUID id : List.of(integration, other)) {
            tenancy.inOrg(org, c -> integrations.insert(c, new IntegrationRecord(id, org, "i-" + id, "mqtt", "{}", null, true, null, null)));
        }
    }

    private SinkRecord sink(String name, String filter, String device) {
        SinkRecord s = new SinkRecord(MessageIds.next(), org, integration, name, "webhook", "{\"url\":\"https://example.com/in\"}",
                null, filter, device, "raw", false, 3, null, null);
        return tenancy.inOrg(org, c -> sinks.insert(c, s));
    }

    private InboundMessage message(UUID integrationId, String topic, String device, int n, String clientId) {
        InboundMessage m = new InboundMessage(InboundMessage.Source.HTTP, topic, ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8),
                "application/json", NOW.plusMillis(n), org, integrationId, clientId);
        m.parsed(List.of(new Reading(device, NOW.plusMillis(n), Map.of("n", n))));
        return m;
    }

    private List<Integer> numbers(List<OutboxEntry> entries) {
        List<Integer> n = new ArrayList<>();
        for (OutboxEntry e : entries) {
            String body = new String(e.payload(), StandardCharsets.UTF_8);
            n.add(Integer.parseInt(body.replaceAll("\\D", "")));
        }
        return n;
    }

    @Test
    void aStoredMessageEntersTheOutboxOfEachMatchingSinkInTheBatchsOrder() throws Exception {
        SinkRecord all = sink("all", "#", null);
        SinkRecord telemetry = sink("telemetry", "site/+/telemetry", null);
        SinkRecord d2 = sink("d2", "#", "d2");
        List<InboundMessage> batch = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            batch.add(message(integration, i % 2 == 0 ? "site/a/telemetry" : "site/a/status", "d" + (i % 3), i, null));
        }
        batch.add(message(other, "site/a/telemetry", "d0", 6, null)); // another integration: no sink of its own
        writer.write(batch);
        batch.forEach(m -> assertEquals(StoreOutcome.STORED, m.outcome().getNow(null)));

        assertEquals(List.of(0, 1, 2, 3, 4, 5), numbers(outbox.next(all.id(), 100, false)));
        assertEquals(List.of(0, 2, 4), numbers(outbox.next(telemetry.id(), 100, false)));
        assertEquals(List.of(2, 5), numbers(outbox.next(d2.id(), 100, false)));
        OutboxEntry first = outbox.next(all.id(), 1, true).get(0);
        assertEquals("site/a/telemetry", first.topic());
        assertEquals("d0", first.deviceId());
        assertTrue(first.readingsJson().contains("\"metrics\": {\"n\": 0}"), first.readingsJson());
        assertNull(outbox.next(all.id(), 1, false).get(0).readingsJson(), "readings only when asked for");
    }

    @Test
    void aCopyNotStoredAgainIsNotForwardedAgain() {
        SinkRecord all = sink("all", "#", null);
        writer.write(List.of(message(integration, "t", "d0", 1, "client-1")));
        writer.write(List.of(message(integration, "t", "d0", 1, "client-1"), message(integration, "t", "d0", 2, "client-2")));
        assertEquals(List.of(1, 2), numbers(outbox.next(all.id(), 100, false)));
    }

    @Test
    void aFailedDeliveryHoldsBackItsDeviceOnlyAndEndsAsADeadLetterThatCanBeReplayed() {
        SinkRecord all = sink("all", "#", null);
        List<InboundMessage> batch = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            batch.add(message(integration, "t", i < 3 ? "a" : "b", i, null));
        }
        writer.write(batch);
        List<OutboxEntry> page = outbox.next(all.id(), 100, false);
        outbox.retryLater(all.id(), page.get(0).seq(), Duration.ofMinutes(5), "HTTP 500");
        assertEquals(List.of(3, 4, 5), numbers(outbox.next(all.id(), 100, false)), "device a waits behind its failed message; b goes on");

        outbox.delivered(all.id(), outbox.next(all.id(), 100, false).stream().map(OutboxEntry::seq).toList());
        assertEquals(new SinkStore.Backlog(3, NOW.plusMillis(0), 1), sinks.backlog(org, all.id()));

        assertEquals(1, outbox.deadLetter(all.id(), List.of(page.get(0).seq()), "HTTP 500 after 3 attempts"));
        assertEquals(List.of(1, 2), numbers(outbox.next(all.id(), 100, false)), "its device goes on once it is a dead letter");
        List<SinkDeadLetter> dead = sinks.deadLetters(org, all.id(), 10);
        assertEquals(1, dead.size());
        assertEquals("HTTP 500 after 3 attempts", dead.get(0).reason());
        assertEquals(2, dead.get(0).attempts());

        assertEquals(1, (int) tenancy.<Integer>inOrg(org, c -> sinks.replay(c, org, all.id(), List.of())));
        assertEquals(List.of(1, 2, 0), numbers(outbox.next(all.id(), 100, false)), "replayed at the end of the outbox");
        assertEquals(0, (int) tenancy.<Integer>inOrg(org, c -> sinks.replay(c, org, all.id(), List.of())), "a dead letter is replayed once");
    }

    @Test
    void theBacklogIsBoundedByMovingTheOldestToDeadLetters() {
        SinkRecord all = sink("all", "#", null);
        List<InboundMessage> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(message(integration, "t", "d", i, null));
        }
        writer.write(batch);
        SinkOutbox.Bounded bounded = outbox.bound(all.id(), 4);
        assertEquals(6, bounded.deadLettered());
        assertEquals(4, bounded.backlog().messages());
        assertEquals(List.of(6, 7, 8, 9), numbers(outbox.next(all.id(), 100, false)));
        assertTrue(sinks.deadLetters(org, all.id(), 10).stream().allMatch(d -> d.reason().startsWith("over the backlog bound of 4")));
        assertEquals(0, outbox.bound(all.id(), 4).deadLettered());
    }

    @Test
    void oneNodeAtATimeDeliversASinkAndAStoppingNodeLetsGo() {
        SinkRecord first = sink("first", "#", null);
        SinkRecord paused = tenancy.inOrg(org, c -> sinks.update(c, sink("paused", "#", null).withPaused(true))).orElseThrow();
        assertEquals(List.of(first.id()), outbox.claim("node-1", Duration.ofSeconds(30), 100).stream().map(SinkRecord::id).toList());
        assertEquals(List.of(), outbox.claim("node-2", Duration.ofSeconds(30), 100), "held by node-1; paused is delivered by none");
        assertEquals(List.of(first.id()), outbox.claim("node-1", Duration.ofSeconds(30), 100).stream().map(SinkRecord::id).toList(), "renewed");
        outbox.releaseAll("node-1");
        assertEquals(List.of(first.id()), outbox.claim("node-2", Duration.ofSeconds(30), 100).stream().map(SinkRecord::id).toList());
        assertTrue(paused.paused());
    }

    @Test
    void deletingASinkDeletesItsOutboxAndDeadLetters() throws Exception {
        SinkRecord all = sink("all", "#", null);
        writer.write(List.of(message(integration, "t", "d", 1, null), message(integration, "t", "d", 2, null)));
        outbox.deadLetter(all.id(), List.of(outbox.next(all.id(), 1, false).get(0).seq()), "test");
        assertTrue(tenancy.<Boolean>inOrg(org, c -> sinks.delete(c, org, all.id())));
        try (var c = ds.getConnection(); var st = c.createStatement();
                var rs = st.executeQuery("SELECT (SELECT count(*) FROM sink_outbox) + (SELECT count(*) FROM sink_dead_letters)")) {
            rs.next();
            assertEquals(0, rs.getLong(1));
        }
    }
}
