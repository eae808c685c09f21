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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Input a hostile tenant sends that the API used to take and then fail on (500, 502), and what
 * {@code /health} tells a caller without the operator key.
 */
class HostileInputTest {

    @TempDir
    static Path work;
    static RuntimeHarness service;
    static String admin;

    @BeforeAll
    static void start() throws Exception {
        service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of());
        admin = service.createOrganization("o").adminKey();
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    static String integration(String settings) throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations", admin, "{\"name\":\"b\",\"settings\":" + settings + "}");
        assertEquals(201, r.statusCode(), r.body());
        return json(r).path("id").asText();
    }

    private static void assertRefused(HttpResponse<String> r, String field, String what) throws Exception {
        assertEquals(400, r.statusCode(), what + ": " + r.body());
        assertEquals(field, json(r).path("field").asText(), what + ": " + r.body());
    }

    @Test
    void aWebSocketPathThatNoUriCanHoldIsRefusedAtCreateAndPatch() throws Exception {
        for (String path : List.of("/a b", "/%zz", "/a?b#c", "/a\\\\b")) {
            assertRefused(service.send("POST", "/api/v1/integrations", admin, "{\"name\":\"ws\",\"settings\":{\"protocol\":\"ws\","
                    + "\"host\":\"broker.example\",\"path\":\"" + path + "\"}}"), "settings.path", path);
        }
        String id = integration("{\"protocol\":\"wss\",\"host\":\"broker.example\",\"path\":\"/mqtt/v%C3%A9\"}");
        assertRefused(service.send("PATCH", "/api/v1/integrations/" + id, admin, "{\"settings\":{\"path\":\"/%zz\"}}"),
                "settings.path", "patch");
    }

    @Test
    void theOperatorNamingAnUnknownOrganizationGets404() throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations?organizationId=" + UUID.randomUUID(),
                RuntimeHarness.OPERATOR_KEY, "{\"name\":\"x\",\"settings\":{\"host\":\"broker.example\"}}");
        assertEquals(404, r.statusCode(), r.body());
        assertEquals("not_found", json(r).path("error").asText(), r.body());
    }

    @Test
    void publishInputMqttForbidsIsRefusedWith400NamingTheField() throws Exception {
        String id = integration("{\"host\":\"broker.example\"}");
        Map<String, String> bodies = new java.util.LinkedHashMap<>();
        bodies.put("{\"topic\":\"a\\u0001b\",\"payload\":1}", "topic");
        bodies.put("{\"topic\":\"a\\u007fb\",\"payload\":1}", "topic");
        bodies.put("{\"topic\":\"a\\u0085b\",\"payload\":1}", "topic");
        bodies.put("{\"topic\":\"a\\uffffb\",\"payload\":1}", "topic");
        bodies.put("{\"topic\":\"a\\ufdd0b\",\"payload\":1}", "topic");
        bodies.put("{\"topic\":\"a\\ud800b\",\"payload\":1}", "topic");
        bodies.put("{\"topic\":\"$SYS/broker/load\",\"payload\":1}", "topic");
        bodies.put("{\"topic\":\"$share/g/t\",\"payload\":1}", "topic");
        bodies.put("{\"topic\":\"t\",\"payload\":1,\"contentType\":\"text/plain\\u0000\"}", "contentType");
        bodies.put("{\"topic\":\"t\",\"payload\":1,\"contentType\":\"a\\udc00\"}", "contentType");
        bodies.put("{\"topic\":\"t\",\"payload\":1,\"userProperties\":{\"k\":\"v\\u001b[31m\"}}", "userProperties.k");
        bodies.put("{\"topic\":\"t\",\"payload\":1,\"userProperties\":{\"k\\u0007\":\"v\"}}", "userProperties");
        bodies.put("{\"topic\":\"t\",\"payload\":1,\"userProperties\":{\"k\":\"\\ufffe\"}}", "userProperties.k");
        for (Map.Entry<String, String> e : bodies.entrySet()) {
            assertRefused(service.send("POST", "/api/v1/integrations/" + id + "/publish", admin, e.getKey()), e.getValue(), e.getKey());
        }
    }

    @Test
    void subscriptionFiltersFollowTheSameRules() throws Exception {
        for (String filter : List.of("$SYS/#", "$share/g/t", "a\\u0001/#", "a/\\uffff", "a/\\ud800")) {
            assertRefused(service.send("POST", "/api/v1/integrations", admin, "{\"name\":\"s\",\"settings\":{\"host\":\"broker.example\","
                    + "\"topics\":[\"" + filter + "\"]}}"), "settings.topics[0]", filter);
        }
        String id = integration("{\"host\":\"broker.example\"}");
        assertRefused(service.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin, "{\"topics\":[\"ok/#\",\"$SYS/#\"]}"),
                "topics[1]", "subscribe");
        assertEquals(201, service.send("POST", "/api/v1/integrations", admin,
                "{\"name\":\"s\",\"settings\":{\"host\":\"broker.example\",\"topics\":[\"+/devices/#\",\"a$b/#\"]}}").statusCode(),
                "+ and # as whole levels, and $ past the start, stay allowed");
    }

    @Test
    void aLoneSurrogateEscapeIsRefusedNamingTheFieldInsteadOfBeingStoredAsAQuestionMark() throws Exception {
        int before = json(service.send("GET", "/api/v1/integrations?limit=200", admin, null)).path("items").size();
        for (String name : List.of("adv-x\\ud800y", "adv-x\\udc00y")) {
            HttpResponse<String> r = service.send("POST", "/api/v1/integrations", admin,
                    "{\"name\":\"" + name + "\",\"settings\":{\"host\":\"broker.example\"}}");
            assertRefused(r, "name", name);
            assertEquals("malformed_json", json(r).path("error").asText(), r.body());
        }
        assertEquals(before, json(service.send("GET", "/api/v1/integrations?limit=200", admin, null)).path("items").size(),
                "nothing created");

        HttpResponse<String> pair = service.send("POST", "/api/v1/integrations", admin,
                "{\"name\":\"adv-x\\ud83d\\ude00y\",\"settings\":{\"host\":\"broker.example\"}}");
        assertEquals(201, pair.statusCode(), "an escaped surrogate pair is one whole character: " + pair.body());
        String id = json(pair).path("id").asText();
        assertRefused(service.send("PATCH", "/api/v1/integrations/" + id, admin, "{\"name\":\"\\ud83d\"}"), "name", "patch");
        assertEquals("adv-x\ud83d\ude00y", json(service.send("GET", "/api/v1/integrations/" + id, admin, null)).path("name").asText(),
                "stored exactly, and left as it was by the refused PATCH");
    }

    @Test
    void healthWithoutTheOperatorKeySaysOnlyUpOrDown() throws Exception {
        HttpResponse<String> anonymous = service.send("GET", "/health", null, null);
        assertEquals(200, anonymous.statusCode(), anonymous.body());
        assertEquals("{\"status\":\"up\"}", anonymous.body(), "no route ids, no counters without the operator key");
        HttpResponse<String> tenant = service.send("GET", "/health", admin, null);
        assertEquals(200, tenant.statusCode(), tenant.body());
        assertFalse(tenant.body().contains("routes"), "a tenant's key sees no details either: " + tenant.body());
        HttpResponse<String> operator = service.send("GET", "/health", RuntimeHarness.OPERATOR_KEY, null);
        assertEquals(200, operator.statusCode(), operator.body());
        JsonNode full = json(operator);
        assertEquals("up", full.path("status").asText());
        assertTrue(full.path("routes").size() > 0 && full.has("database") && full.has("messages"), operator.body());
    }
}
