package io.mqttintegration.runtime.sinks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sinks API over HTTP (the real product, PostgreSQL, and a real receiver on 127.0.0.1): a webhook
 * sink made through the API gets what is ingested, signed with the secret the API showed once; pause
 * holds the messages in the backlog and resume delivers them; the test call reaches the receiver, or
 * says why not; dead letters are listed and replayed; another organization sees none of it. The
 * receiver is on loopback, which the harness allows as it allows the test brokers
 * (mqtt.allowPrivateTargets, the guard sinks share with brokers).
 */
class SinksApiWebhookTest {

    @TempDir
    Path work;
    RuntimeHarness service;
    WebhookReceiver receiver;
    String admin;
    String ingestKey;
    String integration;

    @BeforeEach
    void start() throws Exception {
        service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of("sinks.pollMillis", "20", "sinks.retryBaseMillis", "50",
                "sinks.retryMaxSeconds", "1", "sinks.timeoutMillis", "3000"));
        receiver = new WebhookReceiver();
        RuntimeHarness.Tenant acme = service.createOrganization("acme");
        admin = acme.adminKey();
        integration = json(created(call("POST", "/api/v1/integrations",
                "{\"name\":\"plant\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}"))).path("id").asText();
        ingestKey = json(created(call("POST", "/api/v1/organizations/" + acme.organizationId() + "/api-keys",
                "{\"name\":\"gateway\",\"scopes\":[\"ingest\"],\"integrationId\":\"" + integration + "\"}"))).path("key").asText();
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
        receiver.close();
    }

    HttpResponse<String> call(String method, String path, String body) throws Exception {
        return service.send(method, path, admin, body);
    }

    static HttpResponse<String> created(HttpResponse<String> r) {
        assertEquals(201, r.statusCode(), r.body());
        return r;
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    String sinks() {
        return "/api/v1/integrations/" + integration + "/sinks";
    }

    void ingest(int from, int count) throws Exception {
        StringBuilder batch = new StringBuilder("[");
        for (int k = from; k < from + count; k++) {
            batch.append(k == from ? "" : ",").append("{\"topic\":\"site/devices/d").append(k % 3)
                    .append("/telemetry\",\"payload\":{\"n\":").append(k).append("}}");
        }
        HttpResponse<String> r = service.send("POST", "/api/v1/ingest", ingestKey, batch.append("]").toString());
        assertEquals(202, r.statusCode(), r.body());
    }

    /** The stored messages the receiver took (not the test messages), by their number. */
    List<Integer> delivered() throws Exception {
        List<Integer> numbers = new ArrayList<>();
        for (WebhookReceiver.Request r : receiver.accepted()) {
            if (!SinkTester.TOPIC.equals(r.header("X-MQI-Topic"))) {
                numbers.add(Json.strict().readTree(r.body()).path("n").asInt());
            }
        }
        return numbers;
    }

    List<String> actions() throws Exception {
        List<String> actions = new ArrayList<>();
        json(call("GET", "/api/v1/integrations/" + integration + "/activity?limit=100", null)).path("items")
                .forEach(e -> actions.add(e.path("action").asText()));
        return actions;
    }

    @Test
    void aWebhookSinkMadeThroughTheApiDeliversSignedPausesResumesTestsAndReplays() throws Exception {
        HttpResponse<String> made = created(call("POST", sinks(), "{\"name\":\"erp\",\"kind\":\"webhook\",\"maxAttempts\":2,"
                + "\"settings\":{\"url\":\"" + receiver.url("/in") + "\",\"timeoutMillis\":2000}}"));
        JsonNode sink = json(made);
        String secret = sink.path("signingSecret").asText();
        assertTrue(secret.startsWith("whsec_"), made.body());
        assertEquals("********", sink.path("settings").path("signingSecret").asText());
        String at = sinks() + "/" + sink.path("id").asText();

        // Delivered, each signed with the secret shown once.
        ingest(0, 20);
        await().atMost(Duration.ofSeconds(30)).until(() -> delivered().size() >= 20);
        assertEquals(20, delivered().size());
        long now = Instant.now().getEpochSecond();
        for (WebhookReceiver.Request r : receiver.accepted()) {
            assertTrue(SinkSignatures.verify(secret, r.header(SinkSignatures.HEADER), r.body(), now, 300), r.header(SinkSignatures.HEADER));
            assertEquals(sink.path("id").asText(), r.header("X-MQI-Sink-Id"));
        }
        HttpResponse<String> read = call("GET", at, null);
        assertEquals(200, read.statusCode(), read.body());
        assertFalse(read.body().contains(secret) || call("GET", sinks(), null).body().contains(secret), "shown once: " + read.body());

        // Paused: nothing arrives, the backlog grows; resumed: it arrives.
        assertTrue(json(call("POST", at + "/pause", null)).path("paused").asBoolean());
        ingest(20, 10);
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).until(() -> delivered().size() == 20);
        await().atMost(Duration.ofSeconds(10)).until(() -> json(call("GET", at, null)).path("backlog").path("messages").asLong() == 10);
        assertFalse(json(call("POST", at + "/resume", null)).path("paused").asBoolean());
        await().atMost(Duration.ofSeconds(30)).until(() -> delivered().size() >= 30);
        assertEquals(new TreeSet<>(java.util.stream.IntStream.range(0, 30).boxed().toList()), new TreeSet<>(delivered()));
        await().atMost(Duration.ofSeconds(10)).until(() -> json(call("GET", at, null)).path("backlog").path("messages").asLong() == 0);

        // The test call: one message through a route of its own, signed with the same secret.
        JsonNode ok = json(call("POST", at + "/test", null));
        assertTrue(ok.path("ok").asBoolean(), ok.toString());
        assertTrue(ok.path("latencyMs").isIntegralNumber() && ok.path("error").isMissingNode(), ok.toString());
        WebhookReceiver.Request probe = receiver.accepted().stream().filter(r -> SinkTester.TOPIC.equals(r.header("X-MQI-Topic")))
                .findFirst().orElseThrow();
        assertTrue(SinkSignatures.verify(secret, probe.header(SinkSignatures.HEADER), probe.body(), Instant.now().getEpochSecond(), 300));
        assertTrue(Json.strict().readTree(probe.body()).path("test").asBoolean(), new String(probe.body()));
        receiver.refusing(true);
        JsonNode refusedTest = json(call("POST", at + "/test", null));
        assertFalse(refusedTest.path("ok").asBoolean(), refusedTest.toString());
        assertTrue(refusedTest.path("error").asText().contains("500"), refusedTest.toString());
        assertTrue(service.runtime.camelContext().getRoutes().stream().noneMatch(r -> r.getRouteId().startsWith(SinkTester.ROUTE_PREFIX)),
                "the test routes are gone");

        // Refused for good: dead letters, listed and replayed through the API.
        ingest(30, 5);
        await().atMost(Duration.ofSeconds(30)).until(() -> json(call("GET", at + "/dead-letters", null)).path("items").size() == 5);
        JsonNode dead = json(call("GET", at + "/dead-letters?limit=2", null));
        assertEquals(2, dead.path("items").size());
        assertTrue(dead.path("items").get(0).path("reason").asText().contains("500"), dead.toString());
        assertEquals(2, dead.path("items").get(0).path("attempts").asInt());
        receiver.refusing(false);
        String one = dead.path("items").get(0).path("id").asText();
        assertEquals(1, json(call("POST", at + "/dead-letters/replay", "{\"ids\":[\"" + one + "\"]}")).path("replayed").asInt());
        assertEquals(4, json(call("POST", at + "/dead-letters/replay", "{}")).path("replayed").asInt());
        await().atMost(Duration.ofSeconds(30)).until(() -> delivered().size() >= 35);
        assertEquals(35, new TreeSet<>(delivered()).size());

        assertEquals(List.of("sink.replayed", "sink.replayed", "sink.tested", "sink.tested", "sink.resumed", "sink.paused", "sink.created"),
                actions().subList(0, 7), "newest first");
        assertFalse(call("GET", "/api/v1/integrations/" + integration + "/activity?limit=100", null).body().contains(secret));
    }

    @Test
    void aReceiverThatIsNotThereFailsTheTestWithTheReasonAndAnUpdateRotationAndDeleteAreRecorded() throws Exception {
        int closed = RuntimeHarness.freePort();
        JsonNode sink = json(created(call("POST", sinks(), "{\"name\":\"gone\",\"kind\":\"webhook\",\"paused\":true,"
                + "\"settings\":{\"url\":\"http://127.0.0.1:" + closed + "/in\"}}")));
        String at = sinks() + "/" + sink.path("id").asText();
        JsonNode failed = json(call("POST", at + "/test", null));
        assertFalse(failed.path("ok").asBoolean(), failed.toString());
        assertTrue(failed.path("error").asText().toLowerCase().contains("refused"), failed.toString());

        HttpResponse<String> patched = call("PATCH", at, "{\"settings\":{\"url\":\"" + receiver.url("/moved") + "\"},\"body\":\"cloudevents\"}");
        assertEquals(200, patched.statusCode(), patched.body());
        assertEquals("cloudevents", json(patched).path("body").asText());
        assertTrue(json(call("POST", at + "/test", null)).path("ok").asBoolean());
        assertEquals("application/cloudevents+json", receiver.accepted().get(0).header("Content-Type"));

        String old = sink.path("signingSecret").asText();
        HttpResponse<String> rotated = call("POST", at + "/rotate-secret", null);
        assertEquals(200, rotated.statusCode(), rotated.body());
        String fresh = json(rotated).path("signingSecret").asText();
        assertTrue(fresh.startsWith("whsec_") && !fresh.equals(old));
        assertTrue(json(call("POST", at + "/test", null)).path("ok").asBoolean());
        WebhookReceiver.Request last = receiver.accepted().get(receiver.accepted().size() - 1);
        long now = Instant.now().getEpochSecond();
        assertTrue(SinkSignatures.verify(fresh, last.header(SinkSignatures.HEADER), last.body(), now, 300), "signed with the new secret");
        assertFalse(SinkSignatures.verify(old, last.header(SinkSignatures.HEADER), last.body(), now, 300), "no longer with the old one");

        assertEquals(204, call("DELETE", at, null).statusCode());
        assertEquals(404, call("GET", at, null).statusCode());
        assertEquals(0, json(call("GET", sinks(), null)).path("items").size());
        assertEquals(List.of("sink.deleted", "sink.tested", "sink.updated", "sink.tested", "sink.updated", "sink.tested", "sink.created"),
                actions().subList(0, 7));
    }

    @Test
    void badInputIsAJsonErrorNamingTheFieldAndAnotherOrganizationGets404() throws Exception {
        for (String[] bad : new String[][] {
                {"{\"name\":\"x\",\"kind\":\"carrier-pigeon\"}", "invalid_field", "kind"},
                {"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"http://169.254.169.254/latest\"}}", "target_not_allowed",
                        "settings.url"},
                {"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"ftp://h.example/\"}}", "invalid_field", "settings.url"},
                {"{\"name\":\"x\",\"kind\":\"webhook\",\"settings\":{\"url\":\"https://h.example/\",\"color\":1}}", "unknown_field",
                        "settings.color"},
                {"{\"name\":\"x\",\"kind\":\"webhook\",\"topicFilter\":\"a/#/b\",\"settings\":{\"url\":\"https://h.example/\"}}",
                        "invalid_field", "topicFilter"}}) {
            HttpResponse<String> r = call("POST", sinks(), bad[0]);
            assertEquals(400, r.statusCode(), r.body());
            assertEquals(bad[1], json(r).path("error").asText(), r.body());
            assertEquals(bad[2], json(r).path("field").asText(), r.body());
            assertFalse(r.body().contains("Exception"), r.body());
        }

        JsonNode sink = json(created(call("POST", sinks(), "{\"name\":\"private\",\"kind\":\"webhook\",\"settings\":{\"url\":\""
                + receiver.url("/p") + "\"}}")));
        assertEquals(409, call("POST", sinks(), "{\"name\":\"private\",\"kind\":\"webhook\",\"settings\":{\"url\":\""
                + receiver.url("/p") + "\"}}").statusCode());
        String at = sinks() + "/" + sink.path("id").asText();
        RuntimeHarness.Tenant other = service.createOrganization("other");
        String theirs = json(created(service.send("POST", "/api/v1/integrations", other.adminKey(),
                "{\"name\":\"theirs\",\"type\":\"mqtt\",\"settings\":{\"host\":\"b.example\"}}"))).path("id").asText();
        for (String[] request : new String[][] {{"GET", at}, {"GET", sinks()}, {"PATCH", at}, {"DELETE", at}, {"POST", at + "/pause"},
                {"POST", at + "/test"}, {"GET", at + "/dead-letters"}, {"POST", at + "/dead-letters/replay"}, {"POST", sinks()},
                {"GET", "/api/v1/integrations/" + theirs + "/sinks/" + sink.path("id").asText()}}) {
            String body = Set.of("PATCH", "POST").contains(request[0]) && !request[1].endsWith("/pause") && !request[1].endsWith("/test")
                    ? "{}" : null;
            HttpResponse<String> r = service.send(request[0], request[1], other.adminKey(), body);
            assertEquals(404, r.statusCode(), request[0] + " " + request[1] + ": " + r.body());
            assertEquals("not_found", json(r).path("error").asText());
        }
        assertEquals(200, call("GET", at, null).statusCode(), "still there for its own organization");
    }
}
