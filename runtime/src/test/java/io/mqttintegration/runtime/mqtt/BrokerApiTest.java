package io.mqttintegration.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /api/v1/integrations/{id}/publish and /test against a real Mosquitto. */
class BrokerApiTest {

    @TempDir
    static Path work;
    static MosquittoBroker broker;
    static RuntimeHarness service;
    static String admin;

    @BeforeAll
    static void start() throws Exception {
        broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of("svc", "broker-pw"));
        service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of());
        admin = service.createOrganization("o").adminKey();
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        broker.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    static String integration(String settings) throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations", admin,
                "{\"name\":\"b\",\"settings\":" + settings + "}");
        assertEquals(201, r.statusCode(), r.body());
        return json(r).path("id").asText();
    }

    private static HttpResponse<String> publish(String id, String body) throws Exception {
        return service.send("POST", "/api/v1/integrations/" + id + "/publish", admin, body);
    }

    @Test
    void publishesWhatTheBodySaysAndNothingElse() throws Exception {
        String id = integration("{\"host\":\"127.0.0.1\",\"port\":" + broker.port() + ",\"username\":\"svc\",\"password\":\"broker-pw\"}");
        Process sub = broker.subscribe("plant/#", 2, 10, "svc", "broker-pw");
        broker.subscribed("plant/#");

        HttpResponse<String> r = publish(id, "{\"topic\":\"plant/devices/d1/cmd\",\"payload\":{\"on\":true},\"qos\":1}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"ok\":true}", r.body());
        assertEquals(200, publish(id, "{\"topic\":\"plant/text\",\"payload\":\"hello\"}").statusCode());

        assertTrue(sub.waitFor(10, TimeUnit.SECONDS), "mosquitto_sub got its two messages");
        assertEquals("plant/devices/d1/cmd {\"on\":true}\nplant/text hello\n",
                new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8));

        JsonNode activity = json(service.send("GET", "/api/v1/integrations/" + id + "/activity", admin, null));
        assertEquals("integration.published", activity.path("items").get(0).path("action").asText());
        assertEquals("ok", activity.path("items").get(0).path("outcome").asText());
    }

    @Test
    void refusesTopicsThatAreNotTopicNames() throws Exception {
        String id = integration("{\"host\":\"127.0.0.1\",\"port\":" + broker.port() + "}");
        for (String topic : new String[] {"a/+/b", "a/#", "", "a\\u0000b"}) {
            HttpResponse<String> r = publish(id, "{\"topic\":\"" + topic + "\",\"payload\":1}");
            assertEquals(400, r.statusCode(), topic + ": " + r.body());
        }
        assertEquals("unknown_field", json(publish(id, "{\"topic\":\"t\",\"payload\":1,\"CamelMqttTopic\":\"x\"}"))
                .path("error").asText(), "no field can steer the producer");
        assertEquals(400, publish(id, "{\"topic\":\"t\",\"payload\":1,\"qos\":2}").statusCode(), "qos 0 or 1");
    }

    @Test
    void brokerFailuresAreClassifiedNeverAStackTrace() throws Exception {
        String wrongPassword = integration("{\"host\":\"127.0.0.1\",\"port\":" + broker.port()
                + ",\"username\":\"svc\",\"password\":\"wrong\"}");
        HttpResponse<String> auth = publish(wrongPassword, "{\"topic\":\"t\",\"payload\":1}");
        assertEquals(502, auth.statusCode(), auth.body());
        assertEquals("broker_auth", json(auth).path("error").asText(), auth.body());

        String closedPort = integration("{\"host\":\"127.0.0.1\",\"port\":" + RuntimeHarness.freePort() + "}");
        assertEquals("broker_refused", json(publish(closedPort, "{\"topic\":\"t\",\"payload\":1}")).path("error").asText());

        String metadata = integration("{\"host\":\"169.254.169.254\"}");
        HttpResponse<String> blocked = publish(metadata, "{\"topic\":\"t\",\"payload\":1}");
        assertEquals(502, blocked.statusCode());
        assertEquals("broker_refused", json(blocked).path("error").asText(), "a blocked address looks like a refused one");
        assertTrue(!blocked.body().contains("Exception"), blocked.body());
        JsonNode activity = json(service.send("GET", "/api/v1/integrations/" + metadata + "/activity", admin, null));
        assertEquals("error", activity.path("items").get(0).path("outcome").asText());
    }

    private static JsonNode test(String id) throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations/" + id + "/test", admin, null);
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    @Test
    void aConnectionTestIsARealRoundTripWithTimedSteps() throws Exception {
        JsonNode ok = test(integration("{\"host\":\"127.0.0.1\",\"port\":" + broker.port()
                + ",\"username\":\"svc\",\"password\":\"broker-pw\"}"));
        assertTrue(ok.path("ok").asBoolean(), ok.toString());
        java.util.List<String> steps = new java.util.ArrayList<>();
        ok.path("steps").forEach(step -> {
            steps.add(step.path("step").asText());
            assertTrue(step.path("ok").asBoolean(), step.toString());
            assertTrue(step.path("ms").isIntegralNumber());
        });
        assertEquals(java.util.List.of("dns", "tcp", "connect", "subscribe", "publish", "receive"), steps);
        assertTrue(ok.has("latencyMs") && !ok.has("error"));

        JsonNode refused = test(integration("{\"host\":\"127.0.0.1\",\"port\":" + RuntimeHarness.freePort() + "}"));
        assertEquals("refused", refused.path("error").asText(), refused.toString());
        assertEquals("tcp", refused.path("steps").get(1).path("step").asText());
        assertTrue(!refused.path("steps").get(1).path("ok").asBoolean());

        JsonNode auth = test(integration("{\"host\":\"127.0.0.1\",\"port\":" + broker.port()
                + ",\"username\":\"svc\",\"password\":\"nope\"}"));
        assertEquals("auth", auth.path("error").asText(), auth.toString());

        JsonNode blocked = test(integration("{\"host\":\"169.254.169.254\",\"port\":1883}"));
        assertEquals("refused", blocked.path("error").asText(), "an SSRF target looks like any refused broker: " + blocked);
        assertTrue(!blocked.toString().contains("169.254"), "and says nothing about why: " + blocked);
    }

    @Test
    void connectionTestsAreRateLimitedPerOrganization() throws Exception {
        String busyAdmin = service.createOrganization("busy").adminKey();
        String id = json(service.send("POST", "/api/v1/integrations", busyAdmin,
                "{\"name\":\"b\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + RuntimeHarness.freePort() + "}}"))
                .path("id").asText();
        for (int i = 0; i < 10; i++) {
            assertEquals(200, service.send("POST", "/api/v1/integrations/" + id + "/test", busyAdmin, null).statusCode());
        }
        HttpResponse<String> limited = service.send("POST", "/api/v1/integrations/" + id + "/test", busyAdmin, null);
        assertEquals(429, limited.statusCode(), limited.body());
        assertEquals("rate_limited", json(limited).path("error").asText());
        assertTrue(limited.headers().firstValue("Retry-After").isPresent());
    }
}
