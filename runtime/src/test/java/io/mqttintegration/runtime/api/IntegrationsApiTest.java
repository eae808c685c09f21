package io.mqttintegration.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The integrations API over HTTP against a real PostgreSQL, with an organization's admin key. */
class IntegrationsApiTest {

    @TempDir
    static Path work;
    static RuntimeHarness service;
    static String admin;
    static String org;

    @BeforeAll
    static void start() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        service = RuntimeHarness.start(db, work, Map.of());
        RuntimeHarness.Tenant acme = service.createOrganization("acme");
        org = acme.organizationId();
        admin = acme.adminKey();
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    private static HttpResponse<String> call(String method, String path, String body) throws Exception {
        return service.send(method, path, admin, body);
    }

    private static String create(String name, String settings) throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/integrations",
                "{\"name\":\"" + name + "\",\"type\":\"mqtt\",\"settings\":" + settings + "}");
        assertEquals(201, r.statusCode(), r.body());
        return json(r).path("id").asText();
    }

    @Test
    void createsAnIntegrationWithDefaultsAndNeverShowsItsSecrets() throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/integrations", "{\"name\":\"plant\",\"type\":\"mqtt\",\"settings\":"
                + "{\"protocol\":\"mqtts\",\"host\":\"broker.acme.example\",\"username\":\"svc\",\"password\":\"hunter2-secret\","
                + "\"topics\":[\"plant/+/telemetry\",\"plant/#\"]}}");

        assertEquals(201, r.statusCode(), r.body());
        JsonNode created = json(r);
        JsonNode s = created.path("settings");
        assertEquals(8883, s.path("port").asInt(), "default port by protocol");
        assertEquals("********", s.path("password").asText());
        assertEquals(1, s.path("qos").asInt());
        assertEquals(86400, s.path("sessionExpirySeconds").asInt());
        assertEquals("standard", s.path("parser").asText());
        assertTrue(s.path("clientId").asText().startsWith("mqi-") && s.path("clientId").asText().length() == 23);
        assertFalse(r.body().contains("hunter2-secret"));
        String id = created.path("id").asText();
        HttpResponse<String> get = call("GET", "/api/v1/integrations/" + id, null);
        assertEquals(200, get.statusCode());
        assertFalse(get.body().contains("hunter2-secret"));
        com.fasterxml.jackson.databind.node.ObjectNode shown = (com.fasterxml.jackson.databind.node.ObjectNode) json(get);
        assertTrue(shown.path("subscription").isNull(), "GET adds the subscription's status: none yet");
        shown.remove("subscription");
        assertEquals(created, shown);
    }

    @Test
    void patchesPartiallyKeepsSecretsUnlessClearedAndLogsEachChange() throws Exception {
        String id = create("patchme", "{\"host\":\"10.0.0.5\",\"password\":\"pw-1\",\"qos\":0}");

        HttpResponse<String> patched = call("PATCH", "/api/v1/integrations/" + id,
                "{\"name\":\"renamed\",\"enabled\":false,\"settings\":{\"port\":1884,\"qos\":null}}");
        assertEquals(200, patched.statusCode(), patched.body());
        JsonNode p = json(patched);
        assertEquals("renamed", p.path("name").asText());
        assertFalse(p.path("enabled").asBoolean());
        assertEquals(1884, p.path("settings").path("port").asInt());
        assertEquals(1, p.path("settings").path("qos").asInt(), "null resets to the default");
        assertEquals("10.0.0.5", p.path("settings").path("host").asText(), "untouched fields stay");
        assertEquals("********", p.path("settings").path("password").asText(), "a secret not mentioned is kept");

        JsonNode cleared = json(call("PATCH", "/api/v1/integrations/" + id, "{\"settings\":{\"password\":null}}"));
        assertTrue(cleared.path("settings").path("password").isMissingNode(), "null removes the secret");

        JsonNode activity = json(call("GET", "/api/v1/integrations/" + id + "/activity", null));
        List<String> actions = new ArrayList<>();
        activity.path("items").forEach(e -> actions.add(e.path("action").asText()));
        assertEquals(List.of("integration.updated", "integration.updated", "integration.created"), actions, "newest first");
        assertEquals("[\"enabled\",\"name\",\"settings.port\",\"settings.qos\"]",
                activity.path("items").get(1).path("detail").path("fields").toString());
        assertTrue(activity.path("items").get(0).path("actor").asText().startsWith("key:"));

        assertEquals(204, call("DELETE", "/api/v1/integrations/" + id, null).statusCode());
        assertEquals(404, call("GET", "/api/v1/integrations/" + id, null).statusCode());
        assertEquals(404, call("DELETE", "/api/v1/integrations/" + id, null).statusCode());
    }

    @Test
    void listsPageByPage() throws Exception {
        for (int i = 0; i < 3; i++) {
            create("page-" + i, "{\"host\":\"h" + i + ".example\"}");
        }
        List<String> names = new ArrayList<>();
        String cursor = "";
        do {
            JsonNode page = json(call("GET", "/api/v1/integrations?limit=2" + (cursor.isEmpty() ? "" : "&cursor=" + cursor), null));
            page.path("items").forEach(i -> names.add(i.path("name").asText()));
            assertTrue(page.path("items").size() <= 2);
            cursor = page.path("next").isNull() ? "" : page.path("next").asText();
        } while (!cursor.isEmpty());
        assertTrue(names.containsAll(List.of("page-0", "page-1", "page-2")), names.toString());
        assertEquals(names.size(), names.stream().distinct().count(), "no item twice across pages");
    }

    @Test
    void refusesBadSettingsNamingTheField() throws Exception {
        assertField("{\"name\":\"x\",\"settings\":{\"host\":\"h\",\"color\":\"red\"}}", "unknown_field", "settings.color");
        assertField("{\"name\":\"x\",\"settings\":{\"host\":\"h\",\"port\":70000}}", "invalid_field", "settings.port");
        assertField("{\"name\":\"x\",\"settings\":{\"host\":\"h\",\"port\":\"1883\"}}", "invalid_field", "settings.port");
        assertField("{\"name\":\"x\",\"settings\":{\"host\":\"h\",\"protocol\":\"amqp\"}}", "invalid_field", "settings.protocol");
        assertField("{\"name\":\"x\",\"settings\":{\"host\":\"tcp://h:1883\"}}", "invalid_field", "settings.host");
        assertField("{\"name\":\"x\",\"settings\":{}}", "missing_field", "settings.host");
        assertField("{\"name\":\"x\",\"settings\":{\"host\":\"h\",\"topics\":[\"a/#/b\"]}}", "invalid_field", "settings.topics[0]");
        assertField("{\"name\":\"x\",\"settings\":{\"host\":\"h\",\"parser\":\"nope\"}}", "invalid_field", "settings.parser");
        assertField("{\"name\":\"x\",\"settings\":{\"host\":\"h\",\"path\":\"/mqtt\"}}", "invalid_field", "settings.path");
        assertField("{\"name\":\"x\",\"settings\":{\"host\":\"h\",\"deviceIdPattern\":\"devices/(.*\"}}", "invalid_field",
                "settings.deviceIdPattern");
        assertField("{\"name\":\"x\",\"settings\":{\"host\":\"h\",\"tls\":{\"clientKeyPem\":\"not a key\"}}}", "invalid_field",
                "settings.tls.clientKeyPem");
        assertField("{\"name\":\"x\",\"settings\":{\"host\":\"h\"},\"organizationId\":\"" + org + "\"}", "unknown_field",
                "organizationId");
        assertField("{\"settings\":{\"host\":\"h\"}}", "missing_field", "name");
        assertEquals(415, service.send("POST", "/api/v1/integrations", admin, "text/plain", "{}").statusCode());
        assertEquals(400, call("POST", "/api/v1/integrations", "{\"name\":").statusCode());
        assertEquals(400, call("GET", "/api/v1/integrations?limit=0", null).statusCode());
        assertEquals(400, call("GET", "/api/v1/integrations?limit=abc", null).statusCode());
        assertEquals(404, call("GET", "/api/v1/integrations/not-a-uuid", null).statusCode());
    }

    private static void assertField(String body, String error, String field) throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/integrations", body);
        assertEquals(400, r.statusCode(), r.body());
        assertEquals(error, json(r).path("error").asText(), r.body());
        assertEquals(field, json(r).path("field").asText(), r.body());
    }

    @Test
    void deviceCredentialsShowTheirPasswordOnceAndCanBeRevoked() throws Exception {
        String id = create("devices", "{\"host\":\"h.example\"}");
        HttpResponse<String> created = call("POST", "/api/v1/integrations/" + id + "/credentials", null);
        assertEquals(201, created.statusCode(), created.body());
        String password = json(created).path("password").asText();
        assertTrue(password.length() >= 32, "a strong password");

        HttpResponse<String> list = call("GET", "/api/v1/integrations/" + id + "/credentials", null);
        assertEquals(1, json(list).path("items").size());
        assertFalse(list.body().contains(password), "listed without the secret");
        String credential = json(created).path("id").asText();
        assertEquals(204, call("DELETE", "/api/v1/integrations/" + id + "/credentials/" + credential, null).statusCode());
        assertEquals(404, call("DELETE", "/api/v1/integrations/" + id + "/credentials/" + credential, null).statusCode());
        assertTrue(json(call("GET", "/api/v1/integrations/" + id + "/credentials", null)).path("items").get(0).has("revokedAt"));
    }
}
