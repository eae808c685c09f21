package io.mqttintegration.runtime.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations the console added, on the running service: the parser dry-run with each kind of
 * parser, the live stream read by a real HTTP client while messages are ingested (and its rate bound),
 * and the route files (operator).
 */
class ConsoleOperationsTest {

    @TempDir
    static Path work;
    static DataSource db;
    static RuntimeHarness service;
    static RuntimeHarness.Tenant other;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.newDatabase();
        service = RuntimeHarness.start(db, work, Map.of("console.liveEventsPerSecond", "5")).withIngestKey();
        other = service.createOrganization("other");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    static String integration(String settings) throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations", service.adminKey,
                "{\"name\":\"parser " + System.nanoTime() + "\",\"settings\":{\"host\":\"p.example\"" + settings + "}}");
        assertEquals(201, r.statusCode(), r.body());
        return Json.strict().readTree(r.body()).path("id").asText();
    }

    static JsonNode dryRun(String integration, String body) throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations/" + integration + "/parsers/test", service.adminKey, body);
        assertEquals(200, r.statusCode(), r.body());
        return Json.strict().readTree(r.body());
    }

    @Test
    void theDryRunUsesTheIntegrationsParserAndStoresNothing() throws Exception {
        String standard = integration("");
        JsonNode ok = dryRun(standard, "{\"topic\":\"acme/devices/sensor-17/telemetry\",\"payload\":\"{\\\"temperature\\\":21.5,\\\"ok\\\":true}\"}");
        assertEquals("standard", ok.path("parser").asText());
        assertEquals("parsed", ok.path("parseStatus").asText());
        assertTrue(ok.path("error").isNull());
        assertEquals(1, ok.path("readings").size(), ok.toString());
        assertEquals("sensor-17", ok.path("readings").get(0).path("deviceId").asText(), "the device from the topic, as the pipeline does");
        assertEquals(21.5, ok.path("readings").get(0).path("metrics").path("temperature").asDouble());

        JsonNode failed = dryRun(standard, "{\"topic\":\"acme/devices/d/telemetry\",\"payload\":\"{\\\"ts\\\":\\\"2026-11-26T10:00:00\\\",\\\"v\\\":1}\"}");
        assertEquals("failed", failed.path("parseStatus").asText());
        assertTrue(failed.path("error").asText().startsWith("standard: "), failed.toString());
        assertEquals(0, failed.path("readings").size());

        String senml = integration(",\"parser\":\"senml\"");
        String pack = "[{\"bn\":\"urn:dev:ow:10e2073a01080063:\",\"n\":\"voltage\",\"u\":\"V\",\"v\":120.1},{\"n\":\"current\",\"u\":\"A\",\"v\":1.2}]";
        JsonNode senmlRun = dryRun(senml, Json.strict().writeValueAsString(Map.of("topic", "t/x",
                "payloadBase64", Base64.getEncoder().encodeToString(pack.getBytes(StandardCharsets.UTF_8)))));
        assertEquals("senml", senmlRun.path("parser").asText());
        JsonNode reading = senmlRun.path("readings").get(0);
        assertEquals("urn:dev:ow:10e2073a01080063", reading.path("deviceId").asText());
        assertEquals("V", reading.path("units").path("voltage").asText(), senmlRun.toString());

        String raw = integration(",\"parser\":\"raw\"");
        JsonNode rawRun = dryRun(raw, "{\"topic\":\"t/x\",\"payload\":\"anything at all\"}");
        assertEquals("raw", rawRun.path("parser").asText());
        assertEquals("parsed", rawRun.path("parseStatus").asText());
        assertEquals(0, rawRun.path("readings").size());

        String csv = integration(",\"parser\":\"standard\",\"parsers\":[{\"topic\":\"lines/#\",\"parser\":\"csv-line\"}]");
        JsonNode csvRun = dryRun(csv, "{\"topic\":\"lines/a\",\"payload\":\"d-17,2026-11-26T10:00:00Z,21.5,40.2\"}");
        assertEquals("csv-line", csvRun.path("parser").asText(), "the topic rule's parser file wins: " + csvRun);
        assertEquals("d-17", csvRun.path("readings").get(0).path("deviceId").asText());
        assertEquals("2026-11-26T10:00:00Z", csvRun.path("readings").get(0).path("ts").asText());
        assertEquals("standard", dryRun(csv, "{\"topic\":\"other/a\",\"payload\":\"{\\\"deviceId\\\":\\\"x\\\",\\\"v\\\":1}\"}")
                .path("parser").asText(), "another topic: the integration's parser");

        HttpResponse<String> noPayload = service.send("POST", "/api/v1/integrations/" + standard + "/parsers/test", service.adminKey,
                "{\"topic\":\"t\"}");
        assertEquals(400, noPayload.statusCode());
        assertEquals("payload", Json.strict().readTree(noPayload.body()).path("field").asText());
        HttpResponse<String> badBase64 = service.send("POST", "/api/v1/integrations/" + standard + "/parsers/test", service.adminKey,
                "{\"topic\":\"t\",\"payloadBase64\":\"***\"}");
        assertEquals("payloadBase64", Json.strict().readTree(badBase64.body()).path("field").asText(), badBase64.body());
        assertEquals(404, service.send("POST", "/api/v1/integrations/" + standard + "/parsers/test", other.adminKey(),
                "{\"topic\":\"t\",\"payload\":\"{}\"}").statusCode(), "another organization's integration is not there");

        try (var c = db.getConnection(); var s = c.createStatement();
                var rs = s.executeQuery("SELECT count(*) FROM mqtt_messages WHERE integration_id IN ('" + standard + "', '" + senml
                        + "', '" + raw + "', '" + csv + "')")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "a dry-run stores nothing");
        }
    }

    /** Reads a stream's events on a thread of its own: each "event + data" pair, comments as they are. */
    static BlockingQueue<String> events(InputStream body) {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String event = null;
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        events.add(event + " " + line.substring(6));
                    } else if (line.startsWith(":")) {
                        events.add(line);
                    }
                }
            } catch (Exception e) {
                // the test closed the stream
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        return events;
    }

    static HttpResponse<InputStream> openLive(String integration, String key) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(service.uri("/api/v1/integrations/" + integration + "/live"))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void theLiveStreamShowsEachCommittedMessageOfItsIntegrationAtABoundedRate() throws Exception {
        HttpResponse<InputStream> live = openLive(service.integrationId, service.adminKey);
        assertEquals(200, live.statusCode());
        assertTrue(live.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        BlockingQueue<String> events = events(live.body());
        try {
            assertEquals(": live", events.poll(10, TimeUnit.SECONDS), "the stream opens at once");
            assertEquals(404, openLive(service.integrationId, other.adminKey()).statusCode(), "another organization's integration");

            assertEquals(202, service.postJson("/api/v1/ingest",
                    "{\"topic\":\"site/devices/d1/telemetry\",\"payload\":{\"t\":20.5}}").statusCode());
            String first = events.poll(10, TimeUnit.SECONDS);
            assertTrue(first != null && first.startsWith("message "), "the committed message: " + first);
            JsonNode message = Json.strict().readTree(first.substring("message ".length()));
            assertEquals("site/devices/d1/telemetry", message.path("topic").asText());
            assertEquals("d1", message.path("deviceId").asText());
            assertEquals("http", message.path("source").asText());
            assertEquals("parsed", message.path("parseStatus").asText());
            assertEquals(20.5, message.path("readings").get(0).path("metrics").path("t").asDouble());
            assertFalse(message.path("messageId").asText().isEmpty());

            assertEquals(202, service.postJson("/api/v1/ingest", "{\"topic\":\"site/devices/d2/telemetry\",\"payload\":\"not json\"}")
                    .statusCode());
            JsonNode failed = Json.strict().readTree(events.poll(10, TimeUnit.SECONDS).substring("message ".length()));
            assertEquals("failed", failed.path("parseStatus").asText(), failed.toString());
            assertFalse(failed.path("parseError").asText().isEmpty());

            // 200 messages in one request, one commit: at most 5 a second go out, the rest are announced.
            StringBuilder batch = new StringBuilder("[");
            for (int i = 0; i < 200; i++) {
                batch.append(i == 0 ? "" : ",").append("{\"topic\":\"site/devices/b").append(i).append("/telemetry\",\"payload\":{\"v\":")
                        .append(i).append("}}");
            }
            assertEquals(202, service.postJson("/api/v1/ingest", batch.append("]").toString()).statusCode());
            int messages = 0;
            long dropped = 0;
            while (messages + dropped < 200) {
                String event = events.poll(10, TimeUnit.SECONDS);
                assertTrue(event != null, "every message is sent or counted: " + messages + " sent, " + dropped + " dropped");
                if (event.startsWith("message ")) {
                    messages++;
                } else if (event.startsWith("dropped ")) {
                    dropped += Json.strict().readTree(event.substring("dropped ".length())).path("dropped").asLong();
                }
            }
            assertEquals(200, messages + dropped);
            assertTrue(dropped > 0, "the excess is announced");
            assertTrue(messages <= 5 * 3, "about 5 a second (the batch spans at most 3 seconds' windows): " + messages);
        } finally {
            live.body().close();
        }
    }

    @Test
    void ingestionsDeadLettersAreListedPerOrganizationAndReplayedOnce() throws Exception {
        String id = java.util.UUID.randomUUID().toString();
        try (var c = db.getConnection(); var st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SELECT set_config('mqi.operator', 'on', true)");
            st.execute("INSERT INTO dead_letters (id, message_id, organization_id, integration_id, source, topic, payload, reason, route_id)"
                    + " VALUES ('" + id + "', gen_random_uuid(), '" + service.organizationId + "', '" + service.integrationId + "', 'http',"
                    + " 'site/devices/dl/telemetry', convert_to('{\"t\":7}', 'UTF8'), 'the database was away', 'ingest-pipeline')");
            c.commit();
        }
        HttpResponse<String> list = service.send("GET", "/api/v1/dead-letters?integrationId=" + service.integrationId, service.adminKey, null);
        assertEquals(200, list.statusCode(), list.body());
        JsonNode item = Json.strict().readTree(list.body()).path("items").get(0);
        assertEquals(id, item.path("id").asText(), list.body());
        assertEquals("the database was away", item.path("reason").asText());
        assertEquals("{\"t\":7}", new String(Base64.getDecoder().decode(item.path("payloadBase64").asText()), StandardCharsets.UTF_8));
        HttpResponse<String> others = service.send("GET", "/api/v1/dead-letters", other.adminKey(), null);
        assertFalse(others.body().contains(id), "another organization's list: " + others.body());
        assertEquals(404, service.send("POST", "/api/v1/dead-letters/" + id + "/replay", other.adminKey(), null).statusCode());

        HttpResponse<String> replayed = service.send("POST", "/api/v1/dead-letters/" + id + "/replay", service.adminKey, null);
        assertEquals(200, replayed.statusCode(), replayed.body());
        JsonNode answer = Json.strict().readTree(replayed.body());
        assertEquals("replayed", answer.path("status").asText());
        try (var c = db.getConnection(); var st = c.createStatement();
                var rs = st.executeQuery("SELECT topic FROM mqtt_messages WHERE message_id = '" + answer.path("messageId").asText() + "'")) {
            assertTrue(rs.next(), "the message is stored");
            assertEquals("site/devices/dl/telemetry", rs.getString(1));
        }
        HttpResponse<String> again = service.send("POST", "/api/v1/dead-letters/" + id + "/replay", service.adminKey, null);
        assertEquals(409, again.statusCode(), again.body());
        assertEquals("already_replayed", Json.strict().readTree(again.body()).path("error").asText());
    }

    @Test
    void theOperatorSeesTheRouteFilesAndTheirLastError() throws Exception {
        Path broken = service.routesDir.resolve("zz-broken.camel.yaml");
        Files.writeString(broken, "- route:\n    id: zz-broken\n    from:\n      uri: nosuchcomponent:x\n      steps: []\n");
        try {
            // The folder is watched: the file is refused within a reload interval (100 ms here).
            JsonNode items = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> {
                HttpResponse<String> r = service.send("GET", "/api/v1/route-files", RuntimeHarness.OPERATOR_KEY, null);
                assertEquals(200, r.statusCode(), r.body());
                return Json.strict().readTree(r.body()).path("items");
            }, found -> found.toString().contains("zz-broken.camel.yaml"));
            List<String> seen = new ArrayList<>();
            items.forEach(i -> seen.add(i.path("file").asText()));
            assertTrue(seen.contains("zz-broken.camel.yaml") && seen.contains("console.camel.yaml"), seen.toString());
            for (JsonNode item : items) {
                if (item.path("file").asText().equals("console.camel.yaml")) {
                    assertTrue(item.path("routeIds").toString().contains("console-files"), item.toString());
                    assertFalse(item.path("loadedAt").isNull());
                    assertTrue(item.path("lastError").isNull());
                }
                if (item.path("file").asText().equals("zz-broken.camel.yaml")) {
                    assertTrue(item.path("loadedAt").isNull(), item.toString());
                    assertFalse(item.path("lastError").asText().isEmpty(), item.toString());
                }
            }
            assertEquals(403, service.send("GET", "/api/v1/route-files", service.adminKey, null).statusCode(), "operator only");
        } finally {
            Files.delete(broken);
        }
    }
}
