package io.mqttintegration.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Telemetry and message queries over HTTP against a real PostgreSQL. */
class TelemetryApiTest {

    @TempDir
    static Path work;
    static RuntimeHarness service;
    static String reader;

    @BeforeAll
    static void start() throws Exception {
        service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of()).withIngestKey();
        reader = json(service.send("POST", "/api/v1/organizations/" + service.organizationId + "/api-keys",
                RuntimeHarness.OPERATOR_KEY, "{\"name\":\"reader\",\"scopes\":[\"read\"]}")).path("key").asText();
        StringBuilder batch = new StringBuilder("[");
        // d-1: temp every minute from 10:00 to 10:09 (values 20..29), rh on even minutes; d-2: one reading at 11:00.
        for (int minute = 0; minute < 10; minute++) {
            batch.append(minute == 0 ? "" : ",").append("{\"topic\":\"farm/devices/d-1/t\",\"payload\":{\"ts\":\"2026-11-26T10:0")
                    .append(minute).append(":00Z\",\"temp\":").append(20 + minute)
                    .append(minute % 2 == 0 ? ",\"rh\":" + (40 + minute) : "").append("}}");
        }
        batch.append(",{\"topic\":\"farm/devices/d-2/t\",\"payload\":{\"ts\":\"2026-11-26T11:00:00Z\",\"temp\":5}}");
        batch.append(",{\"topic\":\"farm/devices/d-3/t\",\"payload\":\"not json object\"}]");
        HttpResponse<String> r = service.postJson("/api/v1/ingest", batch.toString());
        assertEquals(202, r.statusCode(), r.body());
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = service.send("GET", path, reader, null);
        assertEquals(200, r.statusCode(), path + " -> " + r.body());
        return json(r);
    }

    @Test
    void readingsNewestFirstPageByPageWithFilters() throws Exception {
        List<String> times = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = get("/api/v1/telemetry?deviceId=d-1&limit=4" + (cursor == null ? "" : "&cursor=" + cursor));
            page.path("items").forEach(i -> times.add(i.path("timestamp").asText()));
            cursor = page.path("next").isNull() ? null : page.path("next").asText();
        } while (cursor != null);
        assertEquals(10, times.size(), times.toString());
        assertEquals("2026-11-26T10:09:00Z", times.get(0), "newest first");
        assertEquals("2026-11-26T10:00:00Z", times.get(9));

        JsonNode rh = get("/api/v1/telemetry?deviceId=d-1&metric=rh&from=2026-11-26T10:02:00Z&to=2026-11-26T10:07:00Z");
        List<String> values = new ArrayList<>();
        rh.path("items").forEach(i -> values.add(i.path("metrics").toString()));
        assertEquals(List.of("{\"rh\":46}", "{\"rh\":44}", "{\"rh\":42}"), values,
                "only readings that have the metric, only that metric, from inclusive, to exclusive");
        JsonNode first = get("/api/v1/telemetry?limit=1").path("items").get(0);
        assertEquals("d-2", first.path("deviceId").asText());
        assertEquals("farm/devices/d-2/t", first.path("topic").asText());
        assertEquals(service.integrationId, first.path("integrationId").asText());
    }

    @Test
    void latestReadingPerDevice() throws Exception {
        JsonNode latest = get("/api/v1/telemetry/latest?integrationId=" + service.integrationId);
        List<String> seen = new ArrayList<>();
        latest.path("items").forEach(i -> seen.add(i.path("deviceId").asText() + "@" + i.path("timestamp").asText()));
        assertEquals(List.of("d-1@2026-11-26T10:09:00Z", "d-2@2026-11-26T11:00:00Z"), seen);
    }

    @Test
    void aDevicesNewestReadingIsTheNewestTimeNotTheLastReceived() throws Exception {
        RuntimeHarness.Tenant tenant = service.createOrganization("late readings");
        String integration = json(service.send("POST", "/api/v1/integrations", tenant.adminKey(),
                "{\"name\":\"b\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}")).path("id").asText();
        String ingest = json(service.send("POST", "/api/v1/organizations/" + tenant.organizationId() + "/api-keys",
                tenant.adminKey(), "{\"name\":\"i\",\"scopes\":[\"ingest\"],\"integrationId\":\"" + integration + "\"}"))
                .path("key").asText();
        for (String ts : List.of("2026-11-26T12:00:00Z", "2026-11-26T08:00:00Z")) {
            HttpResponse<String> r = service.send("POST", "/api/v1/ingest", ingest,
                    "[{\"topic\":\"farm/devices/d-9/t\",\"payload\":{\"ts\":\"" + ts + "\",\"temp\":1}}]");
            assertEquals(202, r.statusCode(), r.body());
        }
        HttpResponse<String> r = service.send("GET", "/api/v1/telemetry/latest?integrationId=" + integration, tenant.adminKey(), null);
        assertEquals(200, r.statusCode(), r.body());
        List<String> seen = new ArrayList<>();
        json(r).path("items").forEach(i -> seen.add(i.path("deviceId").asText() + "@" + i.path("timestamp").asText()));
        assertEquals(List.of("d-9@2026-11-26T12:00:00Z"), seen, "the reading sent later but taken earlier is not the newest");
    }

    @Test
    void aggregatesInTimeBuckets() throws Exception {
        JsonNode avg = get("/api/v1/telemetry/aggregate?deviceId=d-1&metric=temp&from=2026-11-26T10:00:00Z"
                + "&to=2026-11-26T10:10:00Z&bucket=5m&fn=avg");
        assertEquals("2026-11-26T10:00:00Z", avg.path("items").get(0).path("start").asText());
        assertEquals(22.0, avg.path("items").get(0).path("value").asDouble(), 1e-9, "avg of 20..24");
        assertEquals(5, avg.path("items").get(0).path("count").asInt());
        assertEquals(27.0, avg.path("items").get(1).path("value").asDouble(), 1e-9, "avg of 25..29");
        JsonNode max = get("/api/v1/telemetry/aggregate?metric=temp&from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z"
                + "&bucket=1d&fn=max");
        assertEquals(29, max.path("items").get(0).path("value").asInt(), "across devices");
    }

    @Test
    void rawMessagesWithTheirParseStatus() throws Exception {
        JsonNode failed = get("/api/v1/messages?topic=farm/devices/d-3/t");
        assertEquals(1, failed.path("items").size());
        JsonNode m = failed.path("items").get(0);
        assertEquals("failed", m.path("parseStatus").asText());
        assertEquals("not json object", m.path("payload").asText(), "the payload as received (a JSON string is its text)");
        assertTrue(m.path("parseError").asText().startsWith("standard:"), m.toString());
        JsonNode page = get("/api/v1/messages?limit=5");
        assertEquals(5, page.path("items").size());
        assertTrue(page.path("next").isTextual());
        JsonNode rest = get("/api/v1/messages?limit=100&cursor=" + page.path("next").asText());
        assertEquals(7, rest.path("items").size(), "12 messages in all, none twice");
    }

    @Test
    void refusesBadParametersAndStaysInTheOrganization() throws Exception {
        for (String bad : List.of("/api/v1/telemetry?from=yesterday", "/api/v1/telemetry?from=2026-11-26T10:00:00",
                "/api/v1/telemetry?limit=0", "/api/v1/telemetry?limit=10001", "/api/v1/telemetry?cursor=garbage",
                "/api/v1/telemetry?integrationId=nope", "/api/v1/telemetry/aggregate?metric=temp",
                "/api/v1/telemetry/aggregate?metric=temp&from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z&bucket=2m",
                "/api/v1/telemetry/aggregate?metric=temp&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&bucket=1m",
                "/api/v1/messages?limit=99999")) {
            HttpResponse<String> r = service.send("GET", bad, reader, null);
            assertEquals(400, r.statusCode(), bad + " -> " + r.body());
        }
        assertEquals(404, service.send("GET", "/api/v1/telemetry?integrationId=01a21900-0000-7000-8000-000000000000",
                reader, null).statusCode());
        assertEquals(403, service.send("GET", "/api/v1/telemetry", service.ingestKey, null).statusCode(), "scope read");
        String otherOrg = json(service.send("POST", "/api/v1/organizations", RuntimeHarness.OPERATOR_KEY,
                "{\"name\":\"other\"}")).path("id").asText();
        String otherKey = json(service.send("POST", "/api/v1/organizations/" + otherOrg + "/api-keys",
                RuntimeHarness.OPERATOR_KEY, "{\"name\":\"r\",\"scopes\":[\"read\"]}")).path("key").asText();
        HttpResponse<String> none = service.send("GET", "/api/v1/telemetry", otherKey, null);
        assertEquals("{\"items\":[],\"next\":null}", none.body(), "another organization sees none of it");
        assertEquals(404, service.send("GET", "/api/v1/telemetry/latest?integrationId=" + service.integrationId, otherKey,
                null).statusCode());
    }
}
