package io.mqttintegration.runtime.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.runtime.metrics.DevicesOnline;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /api/v1/devices and /api/v1/devices/{id} over HTTP against a real PostgreSQL, and the gauge
 * mqi_devices_online in /metrics. The rows are written here with SQL, as the operator, the way the
 * presence engine writes them: the API reads device_presence and device_transitions whoever wrote them.
 */
class DevicesApiTest {

    @TempDir
    static Path work;
    static DataSource db;
    static RuntimeHarness service;
    static RuntimeHarness.Tenant acme;
    static RuntimeHarness.Tenant other;
    static String reader;
    static String otherReader;
    static String greenhouse;
    static String barn;
    static String otherIntegration;
    /** Every device of acme as {integrationId, deviceId, id, state}, in the order the API pages them. */
    static final List<String[]> acmeDevices = new ArrayList<>();
    static UUID withHistory;
    static UUID othersDevice;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.newDatabase();
        // The test writes device_presence itself: the presence engine's sweep would take its devices of
        // nodes that never beat offline (node_lost). DevicePresenceTest reads what the engine writes.
        service = RuntimeHarness.start(db, work, Map.of("presence.enabled", "false"));
        acme = service.createOrganization("acme");
        other = service.createOrganization("other");
        reader = key(acme, "read");
        otherReader = key(other, "read");
        greenhouse = integration(acme, "greenhouse");
        barn = integration(acme, "barn");
        otherIntegration = integration(other, "elsewhere");
        Instant t0 = Instant.parse("2026-12-07T10:00:00Z");
        // greenhouse: 12 devices, the even ones online through the hosted broker, the odd ones offline
        // after inactivity; one id with a '|' (the cursor keeps it); barn: 3 HTTP devices online.
        for (int i = 0; i < 12; i++) {
            String device = i == 11 ? "sensor|11" : String.format("sensor-%02d", i);
            boolean up = i % 2 == 0;
            device(acme, greenhouse, device, up ? "online" : "offline", up ? "connected" : "inactivity", t0.plusSeconds(i),
                    t0.plusSeconds(100 + i), "hosted", up ? "node-a" : null, up ? "client-" + i : null, up ? "10.0.0." + i + ":5000" : null);
        }
        for (int i = 0; i < 3; i++) {
            device(acme, barn, "cow-" + i, "online", "message", t0, t0.plusSeconds(5), "http", null, null, null);
        }
        othersDevice = device(other, otherIntegration, "sensor-00", "online", "message", t0, t0, "mqtt", null, null, null);
        acmeDevices.sort(Comparator.<String[], String>comparing(d -> d[0]).thenComparing(d -> d[1]));
        withHistory = UUID.fromString(acmeDevices.stream().filter(d -> d[1].equals("sensor-04")).findFirst().orElseThrow()[2]);
        // sensor-04's history: online, offline, online, ... 7 transitions a minute apart, the newest online.
        for (int i = 0; i < 7; i++) {
            transition(acme, greenhouse, "sensor-04", i % 2 == 0 ? "online" : "offline", i % 2 == 0 ? "connected" : "keep_alive_timeout",
                    t0.plusSeconds(60L * i), i % 2 == 0 ? "{\"clientId\":\"client-4\"}" : "{\"willPublished\":true}");
        }
        // another organization's device of the same name has a transition too
        transition(other, otherIntegration, "sensor-00", "online", "message", t0, "{}");
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
    }

    @Test
    void pagesEveryDeviceOnceInIntegrationAndDeviceOrderWithTheCursor() throws Exception {
        List<String> seen = new ArrayList<>();
        int pages = 0;
        String cursor = null;
        do {
            JsonNode page = get(reader, "/api/v1/devices?limit=4" + (cursor == null ? "" : "&cursor=" + cursor));
            assertTrue(page.path("items").size() <= 4, page.toString());
            page.path("items").forEach(d -> seen.add(d.path("integrationId").asText() + "/" + d.path("deviceId").asText()));
            assertTrue(page.has("next"), "next is there on every page, null on the last: " + page);
            cursor = page.path("next").isNull() ? null : page.path("next").asText();
            pages++;
        } while (cursor != null);
        assertEquals(acmeDevices.stream().map(d -> d[0] + "/" + d[1]).toList(), seen, "every device of acme once, in order, across pages");
        assertEquals(4, pages, "15 devices, 4 a page");
        assertTrue(get(reader, "/api/v1/devices?limit=15").path("next").isNull(), "a page that holds the rest is the last");
    }

    @Test
    void showsEachFieldWithIsoTimesAndNulls() throws Exception {
        JsonNode items = get(reader, "/api/v1/devices?integrationId=" + greenhouse + "&q=sensor-0").path("items");
        JsonNode up = find(items, "sensor-02");
        assertEquals(List.of("id", "integrationId", "deviceId", "state", "since", "reason", "lastSeen", "lastSource", "node", "clientId",
                "remoteAddress"), fieldNames(up));
        assertEquals("online", up.path("state").asText());
        assertEquals("2026-12-07T10:00:02Z", up.path("since").asText());
        assertEquals("connected", up.path("reason").asText());
        assertEquals("2026-12-07T10:01:42Z", up.path("lastSeen").asText());
        assertEquals("hosted", up.path("lastSource").asText());
        assertEquals("node-a", up.path("node").asText());
        assertEquals("client-2", up.path("clientId").asText());
        assertEquals("10.0.0.2:5000", up.path("remoteAddress").asText());
        JsonNode down = find(items, "sensor-03");
        assertEquals("offline", down.path("state").asText());
        assertEquals("inactivity", down.path("reason").asText());
        assertTrue(down.path("node").isNull() && down.path("clientId").isNull() && down.path("remoteAddress").isNull(), down.toString());
    }

    @Test
    void filtersByIntegrationStateAndDeviceIdPrefix() throws Exception {
        assertEquals(List.of("cow-0", "cow-1", "cow-2"), deviceIds(get(reader, "/api/v1/devices?integrationId=" + barn)));
        assertEquals(List.of("sensor-00", "sensor-02", "sensor-04", "sensor-06", "sensor-08", "sensor-10"),
                deviceIds(get(reader, "/api/v1/devices?integrationId=" + greenhouse + "&state=online")));
        List<String> offline = deviceIds(get(reader, "/api/v1/devices?state=offline"));
        assertEquals(List.of("sensor-01", "sensor-03", "sensor-05", "sensor-07", "sensor-09", "sensor|11"), offline);
        assertEquals(List.of("sensor-10"), deviceIds(get(reader, "/api/v1/devices?q=sensor-1")), "q is a prefix of the device id");
        assertEquals(List.of("cow-0", "cow-1", "cow-2"), deviceIds(get(reader, "/api/v1/devices?q=cow&state=online")));
        assertEquals(List.of(), deviceIds(get(reader, "/api/v1/devices?q=ensor")), "a prefix, not a substring");
        // filters and pages together: the online devices of acme, 2 a page
        List<String> online = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = get(reader, "/api/v1/devices?state=online&limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            online.addAll(deviceIds(page));
            cursor = page.path("next").isNull() ? null : page.path("next").asText();
        } while (cursor != null);
        assertEquals(9, online.size(), online.toString());
        assertEquals(List.of("sensor|11"), deviceIds(get(reader, "/api/v1/devices?q=" + encode("sensor|"))));
    }

    @Test
    void oneDeviceWithItsNewestTransitionsFirst() throws Exception {
        JsonNode device = get(reader, "/api/v1/devices/" + withHistory);
        assertEquals("sensor-04", device.path("deviceId").asText());
        JsonNode transitions = device.path("transitions");
        assertEquals(7, transitions.size(), device.toString());
        JsonNode newest = transitions.get(0);
        assertEquals(List.of("id", "state", "reason", "node", "at", "details"), fieldNames(newest));
        assertEquals("2026-12-07T10:06:00Z", newest.path("at").asText(), "newest first");
        assertEquals("online", newest.path("state").asText());
        assertEquals("client-4", newest.path("details").path("clientId").asText(), "details is JSON, not a string");
        assertEquals("keep_alive_timeout", transitions.get(1).path("reason").asText());
        assertTrue(transitions.get(1).path("details").path("willPublished").asBoolean());
        assertEquals("2026-12-07T10:00:00Z", transitions.get(6).path("at").asText());
        JsonNode bounded = get(reader, "/api/v1/devices/" + withHistory + "?limit=2").path("transitions");
        assertEquals(List.of("2026-12-07T10:06:00Z", "2026-12-07T10:05:00Z"), List.of(bounded.get(0).path("at").asText(),
                bounded.get(1).path("at").asText()), "limit keeps the newest");
        assertEquals(2, bounded.size());
        String quiet = acmeDevices.stream().filter(d -> d[1].equals("cow-1")).findFirst().orElseThrow()[2];
        assertEquals(0, get(reader, "/api/v1/devices/" + quiet).path("transitions").size(), "no transitions: an empty array");
    }

    @Test
    void badParametersAre400NamingThem() throws Exception {
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString("not-a-uuid|x".getBytes(StandardCharsets.UTF_8));
        Map<String, String> cases = Map.of(
                "/api/v1/devices?integrationId=not-a-uuid", "integrationId",
                "/api/v1/devices?state=sleeping", "state",
                "/api/v1/devices?limit=0", "limit",
                "/api/v1/devices?limit=1001", "limit",
                "/api/v1/devices?limit=ten", "limit",
                "/api/v1/devices?cursor=%25%25%25", "cursor",
                "/api/v1/devices?cursor=" + forged, "cursor",
                "/api/v1/devices?cursor=" + Base64.getUrlEncoder().encodeToString("only-one-part".getBytes(StandardCharsets.UTF_8)), "cursor",
                "/api/v1/devices?q=" + encode("a\u0000b"), "q",
                "/api/v1/devices/" + withHistory + "?limit=501", "limit");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = service.send("GET", c.getKey(), reader, null);
            assertEquals(400, r.statusCode(), c.getKey() + " -> " + r.body());
            JsonNode error = Json.strict().readTree(r.body());
            assertEquals(c.getValue(), error.path("field").asText(), c.getKey() + " names its parameter: " + r.body());
            assertTrue(error.path("error").isTextual() && error.path("detail").isTextual(), r.body());
        }
    }

    @Test
    void anUnknownDeviceOrIntegrationIs404() throws Exception {
        for (String path : List.of("/api/v1/devices/" + UUID.randomUUID(), "/api/v1/devices/not-a-uuid",
                "/api/v1/devices?integrationId=" + UUID.randomUUID())) {
            HttpResponse<String> r = service.send("GET", path, reader, null);
            assertEquals(404, r.statusCode(), path + " -> " + r.body());
            assertEquals("not_found", Json.strict().readTree(r.body()).path("error").asText(), r.body());
        }
    }

    @Test
    void anotherOrganizationsKeySeesNoneOfTheseDevices() throws Exception {
        assertEquals(List.of("sensor-00"), deviceIds(get(otherReader, "/api/v1/devices")), "its own device only");
        assertEquals(0, get(otherReader, "/api/v1/devices?state=online&q=sensor-02").path("items").size());
        HttpResponse<String> theirs = service.send("GET", "/api/v1/devices/" + withHistory, otherReader, null);
        assertEquals(404, theirs.statusCode(), "acme's device is not found with another organization's key, as a missing one: " + theirs.body());
        HttpResponse<String> integration = service.send("GET", "/api/v1/devices?integrationId=" + greenhouse, otherReader, null);
        assertEquals(404, integration.statusCode(), integration.body());
        // a cursor of acme's pages gives the other organization its own devices after that point, never acme's
        String acmeCursor = get(reader, "/api/v1/devices?limit=1").path("next").asText();
        for (JsonNode d : get(otherReader, "/api/v1/devices?cursor=" + acmeCursor).path("items")) {
            assertEquals(otherIntegration, d.path("integrationId").asText(), d.toString());
        }
        JsonNode own = get(otherReader, "/api/v1/devices/" + othersDevice);
        assertEquals(1, own.path("transitions").size(), "its own device's transitions only, though acme has a device of the same id");
        // the operator names the organization
        assertEquals(15, get(RuntimeHarness.OPERATOR_KEY, "/api/v1/devices?limit=100&organizationId=" + acme.organizationId())
                .path("items").size());
        assertEquals(400, service.send("GET", "/api/v1/devices", RuntimeHarness.OPERATOR_KEY, null).statusCode(),
                "the operator key acts for one organization, named");
        // scopes: ingest is not read
        String ingest = key(acme, "ingest");
        assertEquals(403, service.send("GET", "/api/v1/devices", ingest, null).statusCode());
        assertEquals(401, service.send("GET", "/api/v1/devices", null, null).statusCode());
    }

    @Test
    void metricsShowDevicesOnlinePerOrganizationFromThePresenceTable() throws Exception {
        // acme: 6 hosted + 3 HTTP online; the other: 1. Refreshed every DevicesOnline.REFRESH.
        Duration within = DevicesOnline.REFRESH.multipliedBy(3);
        await().atMost(within).until(() -> online(acme.organizationId()) != null && online(acme.organizationId()) == 9.0);
        assertEquals(1.0, online(other.organizationId()));
        String metrics = scrape();
        assertTrue(metrics.contains("# HELP mqi_devices_online "), metrics);
        // Devices going offline lower it: the gauge follows the table, whoever writes it.
        RuntimeHarness.Tenant third = service.createOrganization("third");
        String thirdIntegration = integration(third, "third");
        device(third, thirdIntegration, "t-1", "online", "message", Instant.now(), Instant.now(), "http", null, null, null);
        device(third, thirdIntegration, "t-2", "online", "message", Instant.now(), Instant.now(), "http", null, null, null);
        await().atMost(within).until(() -> Double.valueOf(2.0).equals(online(third.organizationId())));
        asOperator("UPDATE device_presence SET state = 'offline', reason = 'inactivity', since = now() WHERE organization_id = '"
                + third.organizationId() + "'");
        await().atMost(within).until(() -> Double.valueOf(0.0).equals(online(third.organizationId())));
        assertEquals(9.0, online(acme.organizationId()), "the others unchanged");
        assertFalse(scrape().contains("organization=\"" + UUID.randomUUID() + "\""));
    }

    // --- helpers ---

    static Double online(String org) throws Exception {
        Matcher m = Pattern.compile("(?m)^mqi_devices_online\\{organization=\"" + org + "\"} (\\S+)$").matcher(scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : null;
    }

    static String scrape() throws Exception {
        HttpResponse<String> r = service.send("GET", "/metrics", RuntimeHarness.OPERATOR_KEY, null);
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    static JsonNode get(String key, String path) throws Exception {
        HttpResponse<String> r = service.send("GET", path, key, null);
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
        return Json.strict().readTree(r.body());
    }

    static List<String> deviceIds(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("items").forEach(d -> ids.add(d.path("deviceId").asText()));
        return ids;
    }

    static JsonNode find(JsonNode items, String deviceId) {
        for (JsonNode d : items) {
            if (d.path("deviceId").asText().equals(deviceId)) {
                return d;
            }
        }
        throw new AssertionError("no " + deviceId + " in " + items);
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String key(RuntimeHarness.Tenant tenant, String scope) throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/organizations/" + tenant.organizationId() + "/api-keys", tenant.adminKey(),
                "{\"name\":\"" + scope + "\",\"scopes\":[\"" + scope + "\"]}");
        assertEquals(201, r.statusCode(), r.body());
        return Json.strict().readTree(r.body()).path("key").asText();
    }

    static String integration(RuntimeHarness.Tenant tenant, String name) throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations", tenant.adminKey(),
                "{\"name\":\"" + name + "\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}");
        assertEquals(201, r.statusCode(), r.body());
        return Json.strict().readTree(r.body()).path("id").asText();
    }

    /** A device_presence row, written as the presence engine would (the operator). */
    static UUID device(RuntimeHarness.Tenant tenant, String integration, String deviceId, String state, String reason, Instant since,
            Instant lastSeen, String lastSource, String node, String clientId, String remoteAddress) throws SQLException {
        UUID id = UUID.randomUUID();
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT set_config('mqi.operator', 'on', true)");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO device_presence (id, organization_id, integration_id, device_id,"
                    + " state, since, reason, last_seen, last_source, node, connection_id, client_id, remote_address)"
                    + " VALUES (?, ?::uuid, ?::uuid, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setObject(1, id);
                ps.setString(2, tenant.organizationId());
                ps.setString(3, integration);
                ps.setString(4, deviceId);
                ps.setString(5, state);
                ps.setObject(6, since.atOffset(ZoneOffset.UTC));
                ps.setString(7, reason);
                ps.setObject(8, lastSeen.atOffset(ZoneOffset.UTC));
                ps.setString(9, lastSource);
                ps.setString(10, node);
                ps.setString(11, node == null ? null : node + "/" + clientId);
                ps.setString(12, clientId);
                ps.setString(13, remoteAddress);
                ps.executeUpdate();
            }
            c.commit();
        }
        if (tenant == acme) {
            acmeDevices.add(new String[] {integration, deviceId, id.toString(), state});
        }
        return id;
    }

    static void transition(RuntimeHarness.Tenant tenant, String integration, String deviceId, String state, String reason, Instant at,
            String details) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT set_config('mqi.operator', 'on', true)");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO device_transitions (id, organization_id, integration_id, device_id,"
                    + " state, reason, node, at, details) VALUES (?, ?::uuid, ?::uuid, ?, ?, ?, 'node-a', ?, ?::jsonb)")) {
                ps.setObject(1, UUID.randomUUID());
                ps.setString(2, tenant.organizationId());
                ps.setString(3, integration);
                ps.setString(4, deviceId);
                ps.setString(5, state);
                ps.setString(6, reason);
                ps.setObject(7, at.atOffset(ZoneOffset.UTC));
                ps.setString(8, details);
                ps.executeUpdate();
            }
            c.commit();
        }
    }

    static void asOperator(String sql) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT set_config('mqi.operator', 'on', true)");
                st.execute(sql);
            }
            c.commit();
        }
    }
}
