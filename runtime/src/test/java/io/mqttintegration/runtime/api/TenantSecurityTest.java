package io.mqttintegration.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys, scopes and tenants: who may do what, and what a database dump gives away. */
class TenantSecurityTest {

    @TempDir
    static Path work;
    static DataSource db;
    static RuntimeHarness service;
    static String orgA;
    static String adminA;
    static String integrationA;
    static String orgB;
    static String adminB;
    /** A real client key: the settings accept only a key a TLS connection can load. */
    static String clientKey;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.newDatabase();
        service = RuntimeHarness.start(db, work, Map.of());
        orgA = created(op("POST", "/api/v1/organizations", "{\"name\":\"a\"}")).path("id").asText();
        orgB = created(op("POST", "/api/v1/organizations", "{\"name\":\"b\"}")).path("id").asText();
        adminA = key(orgA, "admin");
        adminB = key(orgB, "admin");
        try (var in = TenantSecurityTest.class.getResourceAsStream("/pem/ec-pkcs8.pem")) {
            clientKey = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        integrationA = created(service.send("POST", "/api/v1/integrations", adminA,
                "{\"name\":\"a-broker\",\"settings\":{\"host\":\"a.example\",\"password\":\"a-broker-password-123\","
                        + "\"tls\":{\"clientKeyPem\":" + Json.strict().writeValueAsString(clientKey) + "}}}"))
                .path("id").asText();
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    static HttpResponse<String> op(String method, String path, String body) throws Exception {
        return service.send(method, path, RuntimeHarness.OPERATOR_KEY, body);
    }

    static JsonNode created(HttpResponse<String> r) throws Exception {
        assertEquals(201, r.statusCode(), r.body());
        return Json.strict().readTree(r.body());
    }

    static String key(String org, String... scopes) throws Exception {
        return created(op("POST", "/api/v1/organizations/" + org + "/api-keys",
                "{\"name\":\"k\",\"scopes\":" + Json.strict().writeValueAsString(scopes) + "}")).path("key").asText();
    }

    @Test
    void requestsWithoutAValidKeyAre401() throws Exception {
        HttpResponse<String> none = service.send("GET", "/api/v1/integrations", null, null);
        assertEquals(401, none.statusCode());
        assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(401, service.send("GET", "/api/v1/integrations", "mqi_aaaaaaaaaaaa_" + "x".repeat(43), null).statusCode());
        assertEquals(401, service.send("GET", "/api/v1/integrations", "garbage", null).statusCode());
        assertEquals(401, service.send("POST", "/api/v1/ingest", null, "{\"topic\":\"t\",\"payload\":1}").statusCode(),
                "ingestion needs a key too");
    }

    @Test
    void aRevokedKeyIsRefusedOnTheNextRequest() throws Exception {
        String k = key(orgA, "read");
        assertEquals(200, service.send("GET", "/api/v1/integrations", k, null).statusCode());
        JsonNode keys = Json.strict().readTree(service.send("GET", "/api/v1/organizations/" + orgA + "/api-keys", adminA, null).body());
        String id = null;
        for (JsonNode item : keys.path("items")) {
            if (k.startsWith("mqi_" + item.path("prefix").asText() + "_")) {
                id = item.path("id").asText();
            }
        }
        assertEquals(204, service.send("DELETE", "/api/v1/organizations/" + orgA + "/api-keys/" + id, adminA, null).statusCode());
        assertEquals(401, service.send("GET", "/api/v1/integrations", k, null).statusCode());
    }

    @Test
    void scopesLimitWhatAKeyMayDo() throws Exception {
        String read = key(orgA, "read");
        String ingest = key(orgA, "ingest");
        assertEquals(403, service.send("POST", "/api/v1/organizations", adminA, "{\"name\":\"x\"}").statusCode(),
                "only the operator creates organizations");
        assertEquals(403, service.send("GET", "/api/v1/organizations", adminA, null).statusCode());
        assertEquals(403, service.send("POST", "/api/v1/integrations", read, "{\"name\":\"x\",\"settings\":{\"host\":\"h\"}}").statusCode());
        assertEquals(200, service.send("GET", "/api/v1/integrations/" + integrationA, read, null).statusCode());
        assertEquals(403, service.send("GET", "/api/v1/integrations", ingest, null).statusCode());
        assertEquals(403, service.send("GET", "/api/v1/organizations/" + orgA + "/api-keys", read, null).statusCode());
        assertEquals(403, service.send("POST", "/api/v1/ingest", read, "{\"topic\":\"t\",\"payload\":1}").statusCode());
    }

    @Test
    void anotherOrganizationsKeyGets404OrForbiddenEverywhereAndChangesNothing() throws Exception {
        String ingestB = key(orgB, "ingest");
        Map<String, Long> before = counts();
        String a = "/api/v1/integrations/" + integrationA;
        List<String[]> sweep = List.of(
                new String[] {"GET", a, null},
                new String[] {"PATCH", a, "{\"name\":\"taken\"}"},
                new String[] {"DELETE", a, null},
                new String[] {"GET", a + "/activity", null},
                new String[] {"GET", a + "/credentials", null},
                new String[] {"POST", a + "/credentials", null},
                new String[] {"DELETE", a + "/credentials/01a21900-0000-7000-8000-000000000000", null},
                new String[] {"POST", a + "/publish", "{\"topic\":\"t\",\"payload\":1}"},
                new String[] {"POST", a + "/test", null},
                new String[] {"POST", a + "/subscribe", "{\"topics\":[\"#\"]}"},
                new String[] {"DELETE", a + "/subscribe", null},
                new String[] {"GET", "/api/v1/telemetry?integrationId=" + integrationA, null},
                new String[] {"GET", "/api/v1/telemetry/latest?integrationId=" + integrationA, null},
                new String[] {"GET", "/api/v1/telemetry/aggregate?integrationId=" + integrationA + "&metric=t&bucket=1h&fn=avg", null},
                new String[] {"GET", "/api/v1/messages?integrationId=" + integrationA, null},
                new String[] {"GET", "/api/v1/organizations/" + orgA + "/api-keys", null},
                new String[] {"POST", "/api/v1/organizations/" + orgA + "/api-keys", "{\"name\":\"x\",\"scopes\":[\"admin\"]}"},
                new String[] {"DELETE", "/api/v1/organizations/" + orgA + "/api-keys/01a21900-0000-7000-8000-000000000000", null},
                new String[] {"GET", "/api/v1/integrations?organizationId=" + orgA, null});
        for (String[] call : sweep) {
            HttpResponse<String> r = service.send(call[0], call[1], adminB, call[2]);
            String what = call[0] + " " + call[1] + " -> " + r.statusCode() + " " + r.body();
            if (call[1].contains("?organizationId=")) {
                assertEquals(200, r.statusCode(), what);
                assertFalse(r.body().contains(integrationA), "the parameter is the operator's; a key sees only its own: " + what);
            } else {
                assertEquals(404, r.statusCode(), what);
                assertFalse(r.body().contains("a-broker"), what);
            }
        }
        HttpResponse<String> ingest = service.send("POST", "/api/v1/ingest", ingestB,
                "{\"topic\":\"t\",\"payload\":1,\"integrationId\":\"" + integrationA + "\"}");
        assertEquals(404, ingest.statusCode(), "ingesting into another organization's integration: " + ingest.body());
        assertEquals(before, counts(), "no row changed");
        assertEquals(0, Json.strict().readTree(service.send("GET", "/api/v1/integrations", adminB, null).body()).path("items").size());
    }

    @Test
    void aDatabaseDumpHoldsNoUsableKeyAndNoPlaintextSecret() throws Exception {
        String k = key(orgA, "read");
        String dump = dump("api_keys") + dump("integrations");
        assertFalse(dump.contains(k), "the key itself is not stored");
        // mqi_<12-character prefix>_<secret>: the secret is base64url and may itself hold '_'.
        assertFalse(dump.contains(k.substring("mqi_".length() + 13)), "nor its secret part");
        assertFalse(dump.contains("a-broker-password-123"), "broker passwords are sealed");
        String keyLastLine = clientKey.lines().filter(l -> !l.startsWith("-----")).reduce((x, y) -> y).orElseThrow();
        assertFalse(dump.contains(keyLastLine), "TLS client keys are sealed");
        assertTrue(dump.contains("a.example"), "(the dump does hold the clear settings)");
    }

    private static Map<String, Long> counts() {
        return Map.of(
                "integrations", Rows.count(db, "SELECT count(*) FROM integrations"),
                "updated", Rows.count(db, "SELECT count(*) FROM integrations WHERE name <> 'a-broker'"),
                "api_keys", Rows.count(db, "SELECT count(*) FROM api_keys WHERE revoked_at IS NULL"),
                "credentials", Rows.count(db, "SELECT count(*) FROM mqtt_credentials"),
                "activity", Rows.count(db, "SELECT count(*) FROM activity_log"),
                "messages", Rows.count(db, "SELECT count(*) FROM mqtt_messages"),
                "subscriptions", Rows.count(db, "SELECT count(*) FROM subscriptions"));
    }

    /** Every column of every row as text, the way pg_dump would write it. */
    private static String dump(String table) throws Exception {
        StringBuilder all = new StringBuilder();
        try (Connection c = db.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    byte[] raw = rs.getBytes(i);
                    all.append(raw == null ? "" : new String(raw, StandardCharsets.ISO_8859_1)).append('|');
                }
            }
        }
        return all.toString();
    }
}
