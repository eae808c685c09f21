package io.mqttintegration.runtime.http;

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
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped route files, end to end over HTTP, against a real PostgreSQL. */
class HttpIngestRouteTest {

    @TempDir
    static Path work;
    static DataSource db;
    static RuntimeHarness service;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.newDatabase();
        service = RuntimeHarness.start(db, work, Map.of("http.maxBodyBytes", "4096")).withIngestKey();
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static long rowsFor(String topic) {
        return Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE topic = '" + topic + "'");
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""),
                "every answer is JSON: " + response.body());
        return Json.strict().readTree(response.body());
    }

    @Test
    void acceptsOneMessageOnlyOnceItsRowIsCommitted() throws Exception {
        String topic = "acme/devices/d-1/telemetry/" + UUID.randomUUID();

        HttpResponse<String> response = service.postJson("/api/v1/ingest",
                "{\"topic\":\"" + topic + "\",\"payload\":{\"temp\":21.5,\"ts\":\"2026-11-26T10:00:00Z\"}}");

        assertEquals(202, response.statusCode(), response.body());
        assertEquals(1, json(response).get("accepted").asInt());
        // No waiting: a 202 promises the row is already committed.
        assertEquals(1, rowsFor(topic), "the 202 came before the commit");
        assertEquals("d-1|2026-11-26 10:00:00+00|{\"temp\": 21.5}|parsed", Rows.text(db,
                "SELECT device_id || '|' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00|' || metrics::text"
                        + " || '|' || parse_status FROM mqtt_messages WHERE topic = '" + topic + "'"));
        assertFalse(response.headers().firstValue("User-Agent").isPresent(), "request headers are not echoed back");
        // One buffer with its length, written at once: not a stream pumped through a worker thread, chunked.
        assertEquals(String.valueOf(response.body().getBytes(StandardCharsets.UTF_8).length),
                response.headers().firstValue("Content-Length").orElse("none"), "the 202's length: " + response.headers().map());
        assertFalse(response.headers().firstValue("Transfer-Encoding").isPresent(), "the 202 is not chunked");
    }

    @Test
    void acceptsAnArrayAndStoresUnparseablePayloadsRawWithTheReason() throws Exception {
        String topic = "acme/devices/d-2/" + UUID.randomUUID();
        String body = "[{\"topic\":\"" + topic + "\",\"payload\":{\"v\":1}},"
                + "{\"topic\":\"" + topic + "\",\"payload\":\"not an object\"},"
                + "{\"topic\":\"" + topic + "\",\"payload\":{\"v\":3}}]";

        HttpResponse<String> response = service.postJson("/api/v1/ingest", body);

        assertEquals(202, response.statusCode(), response.body());
        assertEquals(3, json(response).get("accepted").asInt());
        assertEquals(3, rowsFor(topic));
        assertEquals(1, Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE parse_status = 'failed' AND topic = '"
                + topic + "' AND parse_error LIKE 'standard: payload is not valid JSON%' AND content_type LIKE 'text/plain%'"),
                "a JSON string payload is stored as its text, which the standard parser cannot read");
    }

    @Test
    void refusesBadInputWithJsonErrorsAndWritesNothing() throws Exception {
        long before = Rows.count(db, "SELECT count(*) FROM mqtt_messages");
        String ok = "{\"topic\":\"t/devices/x\",\"payload\":{}}";

        assertError(service.postJson("/api/v1/ingest", "{\"topic\":"), 400, "malformed_json");
        assertError(service.postJson("/api/v1/ingest", ""), 400, "empty_body");
        assertError(service.post("/api/v1/ingest", "application/x-www-form-urlencoded", "topic=a&payload=b"), 415,
                "unsupported_media_type");
        assertError(service.post("/api/v1/ingest", null, ok), 415, "unsupported_media_type");
        assertError(service.postJson("/api/v1/ingest", "{\"payload\":{}}"), 400, "missing_field");
        assertError(service.postJson("/api/v1/ingest", "{\"topic\":\"a/#\",\"payload\":{}}"), 400, "invalid_topic");
        assertError(service.postJson("/api/v1/ingest", "{\"topic\":\"a\\u0000b\",\"payload\":{}}"), 400, "invalid_topic");
        assertError(service.postJson("/api/v1/ingest", "{\"topic\":\"a\",\"payload\":{},\"admin\":true}"), 400, "unknown_field");
        assertError(service.postJson("/api/v1/ingest", "[]"), 400, "empty_batch");
        assertError(service.postJson("/api/v1/ingest", "[1]"), 400, "invalid_message");
        assertError(service.postJson("/api/v1/ingest", "[".repeat(100) + "]".repeat(100)), 400, "json_limits");
        assertError(service.postJson("/api/v1/ingest", "{\"topic\":\"a\",\"payload\":\"" + "x".repeat(5000) + "\"}"), 413,
                "body_too_large");
        assertError(service.get("/api/v1/ingest"), 405, "method_not_allowed");
        assertError(service.get("/api/v1/nothing-here"), 404, "not_found");

        assertEquals(before, Rows.count(db, "SELECT count(*) FROM mqtt_messages"), "bad input writes nothing");
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode body = json(response);
        assertEquals(code, body.path("error").asText(), response.body());
        assertTrue(body.path("detail").isTextual(), "a human-readable detail: " + response.body());
        assertFalse(response.body().contains("Exception"), "no stack trace or exception name: " + response.body());
    }

    @Test
    void messagesBelongToAnIntegrationOfTheCallersOrganization() throws Exception {
        String topic = "acme/devices/d-9/" + UUID.randomUUID();
        HttpResponse<String> viaHeader = service.send("POST", "/api/v1/ingest", null, "application/json",
                "{\"topic\":\"" + topic + "\",\"payload\":{\"v\":1}}");
        assertEquals(401, viaHeader.statusCode(), "no key");
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(service.uri("/api/v1/ingest"))
                .header("Content-Type", "application/json").header("X-API-Key", service.ingestKey)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"topic\":\"" + topic + "\",\"payload\":{\"v\":1}}"))
                .build();
        assertEquals(202, java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString())
                .statusCode(), "ingestion also takes X-API-Key");
        assertEquals(service.organizationId + "|" + service.integrationId, Rows.text(db,
                "SELECT organization_id || '|' || integration_id FROM mqtt_messages WHERE topic = '" + topic + "'"),
                "stored under the integration the key is bound to");

        String admin = Json.strict().readTree(service.send("POST", "/api/v1/organizations/" + service.organizationId
                + "/api-keys", RuntimeHarness.OPERATOR_KEY, "{\"name\":\"a\",\"scopes\":[\"admin\",\"ingest\"]}").body())
                .path("key").asText();
        HttpResponse<String> unbound = service.send("POST", "/api/v1/ingest", admin, "{\"topic\":\"t\",\"payload\":1}");
        assertError(unbound, 400, "missing_field");
        assertEquals("integrationId", json(unbound).path("field").asText());
        assertEquals(202, service.send("POST", "/api/v1/ingest", admin,
                "{\"topic\":\"t\",\"payload\":1,\"integrationId\":\"" + service.integrationId + "\"}").statusCode(),
                "a key bound to no integration names one per message");
        assertError(service.send("POST", "/api/v1/ingest", admin,
                "{\"topic\":\"t\",\"payload\":1,\"integrationId\":\"" + UUID.randomUUID() + "\"}"), 404, "not_found");
    }

    @Test
    void aKeyBoundToAnIntegrationIngestsIntoThatIntegrationOnly() throws Exception {
        String admin = Json.strict().readTree(service.send("POST", "/api/v1/organizations/" + service.organizationId
                + "/api-keys", RuntimeHarness.OPERATOR_KEY, "{\"name\":\"a\",\"scopes\":[\"admin\",\"ingest\"]}").body())
                .path("key").asText();
        String other = Json.strict().readTree(service.send("POST", "/api/v1/integrations", admin,
                "{\"name\":\"other\",\"settings\":{\"host\":\"broker.example\"}}").body()).path("id").asText();
        String topic = "acme/devices/d-8/" + UUID.randomUUID();

        HttpResponse<String> elsewhere = service.postJson("/api/v1/ingest",
                "[{\"topic\":\"" + topic + "\",\"payload\":1},{\"topic\":\"" + topic + "\",\"payload\":2,\"integrationId\":\"" + other + "\"}]");
        assertError(elsewhere, 403, "forbidden");
        assertEquals("[1].integrationId", json(elsewhere).path("field").asText(), elsewhere.body());
        assertEquals(0, rowsFor(topic), "nothing of the request is stored");

        assertEquals(202, service.postJson("/api/v1/ingest", "{\"topic\":\"" + topic + "\",\"payload\":1,\"integrationId\":\""
                + service.integrationId + "\"}").statusCode(), "naming its own integration is fine");
        assertEquals(202, service.send("POST", "/api/v1/ingest", admin, "{\"topic\":\"" + topic + "\",\"payload\":1,"
                + "\"integrationId\":\"" + other + "\"}").statusCode(), "an organization-wide key names any of its integrations");
        assertEquals(2, rowsFor(topic));
    }

    @Test
    void invalidUtf8IsRefusedAsMalformedJsonOnEveryJsonEndpoint() throws Exception {
        byte[] overlongSlash = {(byte) 0xC0, (byte) 0xAF};
        for (String path : new String[] {"/api/v1/ingest", "/api/v1/organizations"}) {
            byte[] body = concat("{\"topic\":\"a".getBytes(StandardCharsets.UTF_8), overlongSlash,
                    "b\",\"name\":\"x\",\"payload\":1}".getBytes(StandardCharsets.UTF_8));
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(service.uri(path))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + (path.endsWith("ingest") ? service.ingestKey : RuntimeHarness.OPERATOR_KEY))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            assertError(r, 400, "malformed_json");
        }
        assertEquals(0, rowsFor("a/b"), "the overlong C0 AF was not read as '/'");
    }

    @Test
    void aLoneSurrogateEscapeInATopicOrAPayloadIsRefusedNamingTheField() throws Exception {
        String topic = "acme/devices/d-7/" + UUID.randomUUID();
        Map<String, String> bodies = new java.util.LinkedHashMap<>();
        bodies.put("{\"topic\":\"" + topic + "/\\ud800\",\"payload\":{\"v\":1}}", "topic");
        bodies.put("{\"topic\":\"" + topic + "\",\"payload\":\"21.5;\\udc00\"}", "payload");
        bodies.put("[{\"topic\":\"" + topic + "\",\"payload\":{\"v\":1}},{\"topic\":\"" + topic + "\",\"payload\":{\"label\":\"x\\ud800y\","
                + "\"v\":2}}]", "[1].payload.label");
        bodies.put("[{\"topic\":\"" + topic + "\",\"payload\":1},{\"topic\":\"a/\\udfff\",\"payload\":2}]", "[1].topic");
        for (Map.Entry<String, String> b : bodies.entrySet()) {
            HttpResponse<String> r = service.postJson("/api/v1/ingest", b.getKey());
            assertError(r, 400, "malformed_json");
            assertEquals(b.getValue(), json(r).path("field").asText(), r.body());
        }
        assertEquals(0, rowsFor(topic), "nothing of a refused request is stored");

        assertEquals(202, service.postJson("/api/v1/ingest", "{\"topic\":\"" + topic + "\",\"payload\":{\"label\":\"\\ud83d\\ude00\","
                + "\"v\":1}}").statusCode(), "an escaped surrogate pair is one whole character");
        assertEquals("{\"v\": 1}|parsed|\ud83d\ude00", Rows.text(db, "SELECT metrics::text || '|' || parse_status || '|' || "
                + "(convert_from(payload, 'UTF8')::jsonb->>'label') FROM mqtt_messages WHERE topic = '" + topic + "'"));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void healthListsDatabaseQueueAndEveryRoute() throws Exception {
        HttpResponse<String> response = service.send("GET", "/health", RuntimeHarness.OPERATOR_KEY, null);

        assertEquals(200, response.statusCode(), response.body());
        JsonNode health = json(response);
        assertEquals("up", health.path("status").asText());
        assertEquals("up", health.path("database").path("status").asText());
        assertEquals(10000, health.path("queue").path("capacity").asInt());
        // Every route of the shipped route files (read from the files), each Started.
        assertEquals(io.mqttintegration.runtime.ShippedRoutes.routeIds().stream().sorted().toList().toString(),
                java.util.stream.StreamSupport.stream(health.path("routes").spliterator(), false)
                        .map(r -> r.path("id").asText() + (r.path("state").asText().equals("Started") ? "" : "!"))
                        .sorted().toList().toString(), "every route is listed and Started");
    }

    @Test
    void aMessageSentAgainWithItsMessageIdIsAcceptedButStoredOnce() throws Exception {
        String topic = "acme/devices/d-7/telemetry/" + UUID.randomUUID();
        String message = "{\"topic\":\"" + topic + "\",\"messageId\":\"gw-1:42\",\"payload\":[{\"deviceId\":\"a\",\"t\":1},"
                + "{\"deviceId\":\"b\",\"t\":2}]}";
        assertEquals(202, service.postJson("/api/v1/ingest", message).statusCode());
        assertEquals(2, rowsFor(topic), "one row per reading");
        HttpResponse<String> again = service.postJson("/api/v1/ingest", "[" + message + "," + message + "]");
        assertEquals(202, again.statusCode(), again.body());
        assertEquals(2, rowsFor(topic), "the retry and the duplicate in one request are not stored again");

        String other = message.replace("gw-1:42", "gw-1:43");
        assertEquals(202, service.postJson("/api/v1/ingest", other).statusCode());
        assertEquals(4, rowsFor(topic), "another id is another message");
        assertEquals(202, service.postJson("/api/v1/ingest", "{\"topic\":\"" + topic + "\",\"payload\":{\"t\":3}}")
                .statusCode());
        assertEquals(202, service.postJson("/api/v1/ingest", "{\"topic\":\"" + topic + "\",\"payload\":{\"t\":3}}")
                .statusCode());
        assertEquals(6, rowsFor(topic), "without a messageId nothing is deduplicated");

        for (String bad : new String[] {"\"\"", "42", "\"" + "x".repeat(129) + "\"", "\"a\\u0000b\""}) {
            HttpResponse<String> r = service.postJson("/api/v1/ingest",
                    "{\"topic\":\"" + topic + "\",\"messageId\":" + bad + ",\"payload\":{}}");
            assertEquals(400, r.statusCode(), bad + " -> " + r.body());
            assertEquals("messageId", json(r).path("field").asText());
        }
    }
}
