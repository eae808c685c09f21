package io.mqttintegration.storage.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.OrganizationStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The presence statements on a real PostgreSQL: each flush, connection batch and sweep is one
 * statement that changes a device's state at most once, records each change as a transition and
 * writes its event into the outbox of the sinks that forward events.
 */
class PresenceStoreTest {

    private DataSource ds;
    private PresenceStore store;
    private UUID org;
    private UUID integration;
    private UUID never;

    @BeforeEach
    void setUp() {
        ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        Tenancy tenancy = new Tenancy(ds);
        store = new PresenceStore(tenancy);
        IntegrationStore integrations = new IntegrationStore(tenancy);
        org = new OrganizationStore(tenancy).create("acme").id();
        integration = MessageIds.next();
        never = MessageIds.next();
        tenancy.inOrg(org, c -> integrations.insert(c, new IntegrationRecord(integration, org, "devices", "mqtt", "{}", null, true, null, null)));
        tenancy.inOrg(org, c -> integrations.insert(c, new IntegrationRecord(never, org, "never idle", "mqtt",
                "{\"inactivityTimeoutSeconds\":0}", null, true, null, null)));
    }

    private Seen seen(UUID integrationId, String device, Instant at) {
        return new Seen(org, integrationId, device, "http", at);
    }

    private ConnectionChange connect(String device, String connection, Instant at) {
        return new ConnectionChange(org, integration, device, connection, "client-" + device, "127.0.0.1:5000", at, null, false);
    }

    private ConnectionChange disconnect(String device, String connection, String reason, boolean will) {
        return disconnect(device, connection, reason, will, Instant.now());
    }

    private ConnectionChange disconnect(String device, String connection, String reason, boolean will, Instant at) {
        return new ConnectionChange(org, integration, device, connection, "client-" + device, "127.0.0.1:5000", at, reason, will);
    }

    private List<String> row(String device) {
        return strings("SELECT state, reason, coalesce(node, '-'), coalesce(connection_id, '-') FROM device_presence WHERE device_id = ?", device);
    }

    private List<String> history(String device) {
        return strings("SELECT state || ' ' || reason FROM device_transitions WHERE device_id = ? AND integration_id = '" + integration
                + "' ORDER BY at, id", device);
    }

    private List<String> strings(String sql, String parameter) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        out.add(rs.getString(i));
                    }
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void execute(String sql) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private UUID sink(String name, String include, String device) {
        UUID id = MessageIds.next();
        execute("INSERT INTO sinks (id, organization_id, integration_id, name, kind, include, device_id) VALUES ('" + id + "', '" + org
                + "', '" + integration + "', '" + name + "', 'webhook', '" + include + "', " + (device == null ? "NULL" : "'" + device + "'") + ")");
        return id;
    }

    private List<JsonNode> events(UUID sinkId) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String e : strings("SELECT event::text FROM sink_outbox WHERE sink_id = ?::uuid ORDER BY seq", sinkId.toString())) {
            out.add(Json.strict().readTree(e));
        }
        return out;
    }

    @Test
    void aStoredMessageBringsANewOrOfflineDeviceOnlineOnceAndLastSeenOnlyGrows() throws Exception {
        UUID events = sink("events", "events", null);
        UUID data = sink("data", "data", null);
        UUID other = sink("d2 only", "both", "d2");
        Instant t = Instant.now().truncatedTo(ChronoUnit.MICROS);

        List<Transition> first = store.seen(List.of(seen(integration, "d1", t)));
        assertEquals(List.of(new Transition(integration, "d1", "online", "message")), first, "a device without a row comes online");
        assertEquals(List.of(), store.seen(List.of(seen(integration, "d1", t.minusSeconds(5)))), "online already: no transition");
        assertEquals(List.of("1"), strings("SELECT count(*) FROM device_presence WHERE device_id = ? AND last_seen = '" + t + "'", "d1"),
                "an older message does not move last_seen back");

        List<JsonNode> sent = events(events);
        assertEquals(1, sent.size(), "one event for the one transition");
        JsonNode e = sent.get(0);
        assertEquals("presence", e.path("type").asText());
        assertEquals(integration.toString(), e.path("integrationId").asText());
        assertEquals("d1", e.path("deviceId").asText());
        assertEquals("online", e.path("state").asText());
        assertEquals("message", e.path("reason").asText());
        assertTrue(e.path("node").isNull(), e.toString());
        assertEquals(t, Instant.parse(e.path("at").asText()), "at is the message's receive time, ISO-8601 UTC");
        assertEquals(strings("SELECT id::text FROM device_transitions WHERE device_id = ?", "d1"), List.of(e.path("id").asText()));
        assertEquals(List.of(), events(data), "a sink of data only gets no event");
        assertEquals(List.of(), events(other), "a sink of another device gets none of d1's");
    }

    @Test
    void inactivityTakesADeviceOfflineOnceAndItsNextNewerMessageBringsItBack() {
        Instant hourAgo = Instant.now().minus(Duration.ofHours(1));
        store.seen(List.of(seen(integration, "d1", hourAgo), seen(never, "d1", hourAgo), seen(integration, "d2", Instant.now())));

        List<Transition> swept = store.sweep("node-a", 30, 600);
        assertEquals(List.of(new Transition(integration, "d1", "offline", "inactivity")), swept,
                "only the device silent beyond the default 600 s of its integration; 0 = never");
        assertEquals(List.of(), store.sweep("node-b", 30, 600), "another node's sweep finds nothing left to do");

        assertEquals(List.of(), store.seen(List.of(seen(integration, "d1", hourAgo.plusSeconds(1)))),
                "a message received before it went offline (stored late) does not bring it back");
        assertEquals(List.of(new Transition(integration, "d1", "online", "message")),
                store.seen(List.of(seen(integration, "d1", Instant.now().plusSeconds(1)))));
        assertEquals(List.of("online message", "offline inactivity", "online message"), history("d1"));
    }

    @Test
    void aDisconnectAppliesOnlyToTheConnectionTheDeviceStillHas() {
        UUID events = sink("events", "both", null);
        Instant t = Instant.now();
        assertEquals(List.of(new Transition(integration, "d1", "online", "connected")), store.connections("node-a", List.of(connect("d1", "a/1", t))));
        assertEquals(List.of("online", "connected", "node-a", "a/1"), row("d1"));

        assertEquals(List.of(), store.connections("node-a", List.of(disconnect("d1", "a/0", "connection_lost", false))),
                "an older connection's end changes nothing");
        assertEquals(List.of(new Transition(integration, "d1", "online", "connected")),
                store.connections("node-b", List.of(connect("d1", "b/7", t.plusSeconds(1)))), "it moved to node-b");
        assertEquals(List.of("{\"clientId\": \"client-d1\", \"previousNode\": \"node-a\", \"remoteAddress\": \"127.0.0.1:5000\"}"),
                strings("SELECT details::text FROM device_transitions WHERE device_id = ? AND node = 'node-b'", "d1"));
        assertEquals(List.of(), store.connections("node-a", List.of(disconnect("d1", "a/1", "connection_lost", true))),
                "node-a's late disconnect leaves it online on node-b");
        assertEquals(List.of("online", "connected", "node-b", "b/7"), row("d1"));

        assertEquals(List.of(new Transition(integration, "d1", "offline", "keep_alive_timeout"),
                new Transition(integration, "d2", "online", "connected")),
                sorted(store.connections("node-b", List.of(disconnect("d1", "b/7", "keep_alive_timeout", true), connect("d2", "b/8", t)))));
        assertEquals(List.of("offline", "keep_alive_timeout", "-", "-"), row("d1"));
        assertEquals(List.of("true"), strings("SELECT details->>'willPublished' FROM device_transitions WHERE device_id = ? AND state = 'offline'", "d1"));
        assertEquals(List.of("4"), strings("SELECT count(*) FROM sink_outbox WHERE sink_id = ?::uuid", events.toString()),
                "one event per transition");
    }

    private static List<Transition> sorted(List<Transition> t) {
        return t.stream().sorted(java.util.Comparator.comparing(Transition::deviceId)).toList();
    }

    @Test
    void devicesOfALostNodeGoOfflineOnceAndNoLongerCountElsewhere() {
        store.beat("node-a", true);
        store.beat("node-b", true);
        store.connections("node-b", List.of(connect("d1", "b/1", Instant.now()), connect("d2", "b/2", Instant.now())));
        assertEquals(Map.of(org, 2), store.connectedElsewhere("node-a", 30), "node-b's two devices count for node-a");
        assertEquals(Map.of(), store.connectedElsewhere("node-b", 30), "not its own");
        assertEquals(List.of(), store.sweep("node-a", 30, 600), "node-b beats: nothing lost");

        execute("UPDATE service_nodes SET heartbeat_at = now() - interval '1 minute' WHERE node_id = 'node-b'");
        assertEquals(Map.of(), store.connectedElsewhere("node-a", 30), "a lost node's devices count nowhere");
        List<Transition> lost = sorted(store.sweep("node-a", 30, 600));
        assertEquals(List.of(new Transition(integration, "d1", "offline", "node_lost"), new Transition(integration, "d2", "offline", "node_lost")), lost);
        assertEquals(List.of("node-b"), strings("SELECT node FROM device_transitions WHERE device_id = ? AND state = 'offline'", "d1"));
        assertEquals(List.of(), store.sweep("node-a", 30, 600), "once");
        assertEquals(List.of("offline", "node_lost", "-", "-"), row("d1"));
    }

    @Test
    void releasingANodeTakesItsDevicesOfflineWithTheReason() {
        store.beat("node-a", true);
        store.connections("node-a", List.of(connect("d1", "a/1", Instant.now())));
        store.connections("node-b", List.of(connect("d2", "b/1", Instant.now())));
        assertEquals(List.of(new Transition(integration, "d1", "offline", "node_stopped")), store.releaseNode("node-a", "node_stopped"));
        assertEquals(List.of("online", "connected", "node-b", "b/1"), row("d2"));
        store.nodeStopped("node-a");
        assertEquals(List.of("1"), strings("SELECT count(*) FROM service_nodes WHERE node_id = ? AND stopped_at IS NOT NULL", "node-a"));
    }

    @Test
    void aConnectStormOfTenThousandDevicesIsOneStatement() {
        UUID events = sink("events", "events", null);
        List<ConnectionChange> storm = new ArrayList<>();
        Instant t = Instant.now();
        for (int i = 0; i < 10_000; i++) {
            storm.add(connect("s" + i, "a/" + i, t));
        }
        assertEquals(10_000, store.connections("node-a", storm).size());
        assertEquals(List.of("10000"), strings("SELECT count(*) FROM device_presence WHERE node = ? AND state = 'online'", "node-a"));
        assertEquals(List.of("10000"), strings("SELECT count(*) FROM sink_outbox WHERE sink_id = ?::uuid", events.toString()));
    }

    @Test
    void trimKeepsTheNewestTransitionsOfEachDevice() {
        Instant t = Instant.now().minus(Duration.ofHours(1));
        for (int i = 0; i < 5; i++) {
            store.connections("node-a", List.of(connect("d1", "a/" + i, t.plusSeconds(2L * i))));
            store.connections("node-a", List.of(disconnect("d1", "a/" + i, "client_disconnect", false, t.plusSeconds(2L * i + 1))));
        }
        store.connections("node-a", List.of(connect("d2", "a/9", t)));
        assertEquals(10, history("d1").size());
        assertEquals(7, store.trim(List.of(new DeviceKey(integration, "d1"), new DeviceKey(integration, "d2")), 3));
        assertEquals(List.of("offline client_disconnect", "online connected", "offline client_disconnect"), history("d1"), "the newest three");
        assertEquals(List.of("online connected"), history("d2"));
    }
}
