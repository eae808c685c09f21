package io.mqttintegration.storage.sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
        return sink(name, filter, device, SinkRecord.DATA);
    }

    private SinkRecord sink(String name, String filter, String device, String include) {
        SinkRecord s = new SinkRecord(MessageIds.next(), org, integration, name, "webhook", "{\"url\":\"https://example.com/in\"}",
                null, filter, device, "raw", include, false, 3, null, null);
        return tenancy.inOrg(org, c -> sinks.insert(c, s));
    }

    /**
     * A device's transition as the presence engine writes it (the contract): the transition and, in
     * the same statement, one outbox row per sink of its integration that forwards events (and takes
     * that device), carrying the event. Returns the transition's id.
     */
    private UUID transition(String device, String state, String reason, Instant at) {
        UUID id = MessageIds.next();
        String event = "{\"type\":\"presence\",\"id\":\"" + id + "\",\"integrationId\":\"" + integration + "\",\"deviceId\":\"" + device
                + "\",\"state\":\"" + state + "\",\"reason\":\"" + reason + "\",\"at\":\"" + at + "\",\"node\":null,\"details\":{}}";
        tenancy.asOperator(c -> {
            try (var ps = c.prepareStatement("""
                    WITH t AS (
                        INSERT INTO device_transitions (id, organization_id, integration_id, device_id, state, reason, at)
                        VALUES (?, ?, ?, ?, ?, ?, ?::timestamptz) RETURNING id, organization_id, integration_id, device_id, at
                    )
                    INSERT INTO sink_outbox (sink_id, organization_id, message_id, received_at, device_id, event)
                    SELECT s.id, t.organization_id, t.id, t.at, t.device_id, ?::jsonb
                    FROM t JOIN sinks s ON s.integration_id = t.integration_id
                    WHERE s.include IN ('events', 'both') AND (s.device_id IS NULL OR s.device_id = t.device_id)
                    """)) {
                ps.setObject(1, id);
                ps.setObject(2, org);
                ps.setObject(3, integration);
                ps.setString(4, device);
                ps.setString(5, state);
                ps.setString(6, reason);
                ps.setString(7, at.toString());
                ps.setString(8, event);
                return ps.executeUpdate();
            }
        });
        return id;
    }

    /** Each entry as "n" (a message's number) or "state" (an event's), in outbox order. */
    private static List<String> kinds(List<OutboxEntry> entries) {
        List<String> all = new ArrayList<>();
        for (OutboxEntry e : entries) {
            all.add(e.event() ? e.eventJson().replaceAll(".*\"state\": \"([a-z]+)\".*", "$1")
                    : new String(e.payload(), StandardCharsets.UTF_8).replaceAll("\\D", ""));
        }
        return all;
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
    void aSinkTakesDataEventsOrBothAsItsIncludeSaysInOneOrder() {
        SinkRecord data = sink("data", "#", null);
        SinkRecord events = sink("events", "#", null, "events");
        SinkRecord both = sink("both", "#", null, "both");
        SinkRecord onlyB = sink("only b", "#", "b", "both");
        assertEquals("data", data.include(), "a sink forwards data unless it says otherwise");
        writer.write(List.of(message(integration, "t", "a", 1, null)));
        UUID online = transition("a", "online", "connected", NOW.plusSeconds(1));
        writer.write(List.of(message(integration, "t", "a", 2, null), message(integration, "t", "b", 3, null)));
        transition("b", "offline", "inactivity", NOW.plusSeconds(2));

        assertEquals(List.of("1", "2", "3"), kinds(outbox.next(data.id(), 100, false)), "a data sink takes no events");
        assertEquals(List.of("online", "offline"), kinds(outbox.next(events.id(), 100, false)), "an events sink takes no data");
        assertEquals(List.of("1", "online", "2", "3", "offline"), kinds(outbox.next(both.id(), 100, true)), "both, in one order");
        assertEquals(List.of("3", "offline"), kinds(outbox.next(onlyB.id(), 100, false)), "a sink's device filter holds for events");

        OutboxEntry event = outbox.next(events.id(), 1, true).get(0);
        assertEquals(online, event.messageId(), "an event's id is the transition's");
        assertEquals(NOW.plusSeconds(1), event.receivedAt().toInstant());
        assertEquals("a", event.deviceId());
        assertEquals(integration, event.integrationId(), "the event's integration");
        assertNull(event.topic());
        assertNull(event.readingsJson(), "an event has no readings");
        assertTrue(!event.purged(), "an event carries itself: it is never a purged message");
        assertTrue(event.eventJson().contains("\"reason\": \"connected\""), event.eventJson());
    }

    @Test
    void anEventBecomesADeadLetterWithItsEventAndIsReplayedWithIt() {
        SinkRecord events = sink("events", "#", null, "events");
        UUID id = transition("a", "offline", "keep_alive_timeout", NOW);
        OutboxEntry entry = outbox.next(events.id(), 10, false).get(0);
        assertEquals(1, outbox.deadLetter(events.id(), List.of(entry.seq()), "HTTP 500 after 3 attempts"));
        SinkDeadLetter dead = sinks.deadLetters(org, events.id(), 10).get(0);
        assertEquals(id, dead.messageId());
        assertEquals(entry.eventJson(), dead.eventJson(), "the dead letter keeps the event");

        assertEquals(1, (int) tenancy.<Integer>inOrg(org, c -> sinks.replay(c, org, events.id(), List.of())));
        OutboxEntry replayed = outbox.next(events.id(), 10, false).get(0);
        assertEquals(id, replayed.messageId());
        assertEquals(entry.eventJson(), replayed.eventJson(), "replayed as it was written");
        assertNotNull(sinks.deadLetters(org, events.id(), 10).get(0).replayedAt(), "marked replayed");
    }

    /**
     * The commit's statement (insert-messages.sql) takes only the sinks that forward data: a filter on
     * the sinks it already joins, not another join or scan. Its plan, for a batch of 100 over 2,000
     * stored messages and sinks of each include, has the same nodes as without the filter.
     */
    @Test
    void theIncludeFilterLeavesTheCommitsPlanAsItWas() throws Exception {
        sink("data", "#", null);
        sink("events", "#", null, "events");
        sink("both", "site/+/telemetry", null, "both");
        List<InboundMessage> stored = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            stored.add(message(integration, "site/a/telemetry", "d" + i % 20, i, null));
        }
        writer.write(stored);
        try (var c = ds.getConnection(); var st = c.createStatement()) {
            st.execute("ANALYZE");
        }
        String sql = io.mqttintegration.storage.SqlFiles.load("insert-messages");
        String filter = "s.include IN ('data', 'both') AND ";
        assertTrue(sql.contains(filter), "the statement filters on include");
        List<String> with = planNodes(sql);
        List<String> without = planNodes(sql.replace(filter, ""));
        System.out.println("insert-messages.sql's plan nodes with the include filter: " + with);
        assertEquals(without, with);
    }

    /** The plan's nodes (EXPLAIN without costs, filter and condition lines left out) for a batch of 100 messages. */
    private List<String> planNodes(String sql) {
        int n = 100;
        Object[] ids = new Object[n];
        Object[] seqs = new Object[n];
        Object[] orgs = new Object[n];
        Object[] integrations = new Object[n];
        Object[][] texts = new Object[11][n];
        byte[][] payloads = new byte[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = MessageIds.next();
            seqs[i] = 0;
            orgs[i] = org;
            integrations[i] = integration;
            payloads[i] = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            String[] row = {"http", "site/a/telemetry", "application/json", "d" + i % 20, NOW.toString(), "{\"n\":1}", null, "parsed",
                    null, NOW.toString(), null};
            for (int k = 0; k < row.length; k++) {
                texts[k][i] = row[k];
            }
        }
        return tenancy.asOperator(c -> {
            List<String> nodes = new ArrayList<>();
            try (var ps = c.prepareStatement("EXPLAIN (COSTS OFF) " + sql)) {
                int p = 1;
                ps.setArray(p++, c.createArrayOf("uuid", ids));
                ps.setArray(p++, c.createArrayOf("int4", seqs));
                ps.setArray(p++, c.createArrayOf("uuid", orgs));
                ps.setArray(p++, c.createArrayOf("uuid", integrations));
                ps.setArray(p++, c.createArrayOf("text", texts[0]));
                ps.setArray(p++, c.createArrayOf("text", texts[1]));
                ps.setArray(p++, c.createArrayOf("bytea", payloads));
                for (int k = 2; k < texts.length; k++) {
                    ps.setArray(p++, c.createArrayOf("text", texts[k]));
                }
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String line = rs.getString(1).trim();
                        if (!line.contains(":")) {
                            nodes.add(line);
                        }
                    }
                }
            }
            return nodes;
        });
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
        assertNull(dead.get(0).eventJson(), "a message's dead letter has no event");

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
