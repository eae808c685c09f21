package io.mqttintegration.runtime.presence;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device presence of devices that reach the service through HTTP, with the real service and
 * PostgreSQL: last seen from what is stored, offline after the integration's inactivity timeout and
 * online again with the next message, the devices of a node that stopped beating taken offline, each
 * transition recorded with its event in the outbox of a sink that forwards events.
 */
class DevicePresenceTest {

    @TempDir
    Path work;
    DataSource db;
    RuntimeHarness service;

    @BeforeEach
    void start() throws Exception {
        db = TestDatabase.newDatabase();
        service = RuntimeHarness.start(db, work, Map.of("presence.flushMillis", "100", "presence.sweepSeconds", "1",
                "presence.nodeTimeoutSeconds", "3")).withIngestKey();
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private void ingest(String device) throws Exception {
        HttpResponse<String> r = service.postJson("/api/v1/ingest", "{\"topic\":\"site/devices/" + device + "/telemetry\",\"payload\":{\"t\":1}}");
        assertEquals(202, r.statusCode(), r.body());
    }

    private String state(String device) {
        return Rows.text(db, "SELECT state || ' ' || reason FROM device_presence WHERE device_id = '" + device + "'");
    }

    private List<String> history(String device) {
        return new ArrayList<>(Rows.texts(db, "SELECT string_agg(state || ' ' || reason, ', ' ORDER BY at, id) FROM device_transitions"
                + " WHERE device_id = '" + device + "'"));
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }

    /** A paused sink (it keeps its outbox) of the test's integration that forwards events. */
    private UUID eventSink() throws SQLException {
        UUID id = UUID.randomUUID();
        execute("INSERT INTO sinks (id, organization_id, integration_id, name, kind, include, paused) VALUES ('" + id + "', '"
                + service.organizationId + "', '" + service.integrationId + "', 'events', 'webhook', 'events', true)");
        return id;
    }

    @Test
    void anHttpDeviceGoesOfflineAfterItsIntegrationsTimeoutAndOnlineWithItsNextMessage() throws Exception {
        HttpResponse<String> patched = service.send("PATCH", "/api/v1/integrations/" + service.integrationId, service.adminKey,
                "{\"settings\":{\"inactivityTimeoutSeconds\":2}}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertEquals(2, Json.strict().readTree(patched.body()).path("settings").path("inactivityTimeoutSeconds").asInt());
        UUID sink = eventSink();

        ingest("d1");
        await().atMost(Duration.ofSeconds(10)).until(() -> "online message".equals(state("d1")));
        assertEquals("http", Rows.text(db, "SELECT last_source FROM device_presence WHERE device_id = 'd1'"));
        await().atMost(Duration.ofSeconds(20)).until(() -> "offline inactivity".equals(state("d1")));
        ingest("d1");
        await().atMost(Duration.ofSeconds(10)).until(() -> "online message".equals(state("d1")));

        assertEquals(List.of("online message, offline inactivity, online message"), history("d1"));
        List<JsonNode> events = new ArrayList<>();
        // Data rows (event null) are the sinks' part: insert-messages.sql feeds sinks by their include.
        for (String e : Rows.texts(db, "SELECT event::text FROM sink_outbox WHERE sink_id = '" + sink + "' AND event IS NOT NULL")) {
            events.add(Json.strict().readTree(e));
        }
        assertEquals(3, events.size(), "one event per transition: " + events);
        assertTrue(events.stream().allMatch(e -> e.path("type").asText().equals("presence") && e.path("deviceId").asText().equals("d1")
                && e.path("integrationId").asText().equals(service.integrationId)), events.toString());
        assertEquals(1, events.stream().filter(e -> e.path("reason").asText().equals("inactivity")).count());

        String metrics = service.send("GET", "/metrics", RuntimeHarness.OPERATOR_KEY, null).body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("mqi_device_transitions_total{") && l.contains("reason=\"inactivity\"")
                && l.contains("state=\"offline\"") && l.endsWith(" 1.0")), "the transition is counted");
    }

    @Test
    void aDeviceWithTheDefaultTimeoutStaysOnline() throws Exception {
        ingest("d2");
        await().atMost(Duration.ofSeconds(10)).until(() -> "online message".equals(state("d2")));
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> "online message".equals(state("d2")));
        assertEquals(List.of("online message"), history("d2"));
    }

    @Test
    void theHostedDevicesOfANodeThatStoppedBeatingGoOfflineNodeLost() throws Exception {
        String org = service.organizationId;
        String integration = service.integrationId;
        execute("INSERT INTO service_nodes (node_id, started_at, heartbeat_at) VALUES ('ghost', now() - interval '1 hour',"
                + " now() - interval '1 minute')");
        execute("INSERT INTO device_presence (id, organization_id, integration_id, device_id, state, since, reason, node, connection_id,"
                + " client_id) VALUES (gen_random_uuid(), '" + org + "', '" + integration + "', 'h1', 'online', now() - interval '1 hour',"
                + " 'connected', 'ghost', 'x/1', 'h1-client')");
        UUID sink = eventSink();

        await().atMost(Duration.ofSeconds(10)).until(() -> "offline node_lost".equals(state("h1")));
        assertEquals("ghost", Rows.text(db, "SELECT node FROM device_transitions WHERE device_id = 'h1'"));
        assertEquals("{\"clientId\": \"h1-client\", \"previousNode\": \"ghost\"}",
                Rows.text(db, "SELECT details::text FROM device_transitions WHERE device_id = 'h1'"));
        JsonNode event = Json.strict().readTree(Rows.text(db, "SELECT event::text FROM sink_outbox WHERE sink_id = '" + sink + "'"));
        assertEquals("offline", event.path("state").asText());
        assertEquals("node_lost", event.path("reason").asText());
        assertEquals("ghost", event.path("node").asText());
        assertEquals(Rows.text(db, "SELECT id::text FROM device_transitions WHERE device_id = 'h1'"), event.path("id").asText());
        assertEquals(1, Rows.count(db, "SELECT count(*) FROM service_nodes WHERE node_id <> 'ghost' AND stopped_at IS NULL"
                + " AND heartbeat_at > now() - interval '10 seconds'"), "this node beats");
    }
}
