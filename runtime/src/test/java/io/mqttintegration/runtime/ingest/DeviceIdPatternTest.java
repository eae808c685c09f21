package io.mqttintegration.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tenant's {@code settings.deviceIdPattern} runs on every message in the one-consumer ingestion
 * pipeline: it must match in linear time, so no pattern can stall other tenants.
 */
class DeviceIdPatternTest {

    @TempDir
    Path work;

    @Test
    void aCatastrophicPatternDoesNotStallAnotherTenantsIngestion() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of())) {
            Gateway evil = gateway(service, "evil", "(.*a){12}$");
            Gateway other = gateway(service, "other", null);
            String slowTopic = "a".repeat(44) + "!";

            long start = System.nanoTime();
            CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> ingest(service, evil, slowTopic));
            CompletableFuture<HttpResponse<String>> normal = CompletableFuture.supplyAsync(
                    () -> ingest(service, other, "site/devices/d-1/telemetry"));
            // Functional bound: a backtracking matcher holds the pipeline for minutes on this topic.
            HttpResponse<String> otherAnswer = normal.get(10, TimeUnit.SECONDS);
            System.out.printf("other tenant's ingest: %d after %.1f ms%n", otherAnswer.statusCode(), (System.nanoTime() - start) / 1e6);
            HttpResponse<String> slowAnswer = slow.get(10, TimeUnit.SECONDS);
            System.out.printf("the (.*a){12}$ tenant's %d-character topic: %d after %.1f ms%n", slowTopic.length(),
                    slowAnswer.statusCode(), (System.nanoTime() - start) / 1e6);

            assertEquals(202, otherAnswer.statusCode(), otherAnswer.body());
            assertEquals(202, slowAnswer.statusCode(), slowAnswer.body());
            assertEquals("d-1", Rows.text(db, "SELECT device_id FROM mqtt_messages WHERE topic = 'site/devices/d-1/telemetry'"));
            assertEquals(1, Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE topic = '" + slowTopic + "'"),
                    "the slow topic is processed and stored too");
        }
    }

    @Test
    void unsafeOrLongPatternsAreRefusedWithTheField() throws Exception {
        try (RuntimeHarness service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of())) {
            String admin = service.createOrganization("o").adminKey();
            String integration = create(service, admin, null);
            for (String bad : new String[] {"^(a+)\\\\1$", "^(?=plant/)(\\\\d+)", "(?<!x)(\\\\d+)", "^(" + "a".repeat(200) + ")"}) {
                HttpResponse<String> created = service.send("POST", "/api/v1/integrations", admin,
                        "{\"name\":\"x\",\"settings\":{\"host\":\"broker.example\",\"deviceIdPattern\":\"" + bad + "\"}}");
                assertRefused(created, bad);
                HttpResponse<String> patched = service.send("PATCH", "/api/v1/integrations/" + integration, admin,
                        "{\"settings\":{\"deviceIdPattern\":\"" + bad + "\"}}");
                assertRefused(patched, bad);
            }
            HttpResponse<String> ok = service.send("PATCH", "/api/v1/integrations/" + integration, admin,
                    "{\"settings\":{\"deviceIdPattern\":\"^plant/(\\\\d+)$\"}}");
            assertEquals(200, ok.statusCode(), ok.body());
        }
    }

    @Test
    void aStoredPatternTheMatcherCannotCompileStoresMessagesWithoutADeviceId() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of())) {
            Gateway gw = gateway(service, "legacy", null);
            // Stored before patterns were checked for linear-time matching: a backreference.
            try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                st.execute("SET mqi.operator = 'on'");
                st.executeUpdate("UPDATE integrations SET settings = settings || '{\"deviceIdPattern\": \"^(\\\\w+)/\\\\1$\"}'"
                        + " WHERE id = '" + gw.integration + "'");
            }
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = ingest(service, gw, "legacy" + i + "/legacy" + i);
                assertEquals(202, r.statusCode(), r.body());
            }
            assertEquals(2, Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE topic LIKE 'legacy%'"));
            assertNull(Rows.text(db, "SELECT device_id FROM mqtt_messages WHERE topic LIKE 'legacy%' AND device_id IS NOT NULL"),
                    "no device id from a pattern that cannot run (the topics match it as a java.util.regex)");
        }
    }

    private static void assertRefused(HttpResponse<String> response, String pattern) throws Exception {
        assertEquals(400, response.statusCode(), pattern + ": " + response.body());
        JsonNode body = Json.strict().readTree(response.body());
        assertEquals("settings.deviceIdPattern", body.path("field").asText(), response.body());
        assertTrue(body.path("detail").isTextual(), response.body());
    }

    private record Gateway(String integration, String key) {
    }

    private static Gateway gateway(RuntimeHarness service, String name, String pattern) throws Exception {
        RuntimeHarness.Tenant tenant = service.createOrganization(name);
        String integration = create(service, tenant.adminKey(), pattern);
        HttpResponse<String> key = service.send("POST", "/api/v1/organizations/" + tenant.organizationId() + "/api-keys",
                tenant.adminKey(), "{\"name\":\"gw\",\"scopes\":[\"ingest\"],\"integrationId\":\"" + integration + "\"}");
        assertEquals(201, key.statusCode(), key.body());
        return new Gateway(integration, Json.strict().readTree(key.body()).path("key").asText());
    }

    private static String create(RuntimeHarness service, String admin, String pattern) throws Exception {
        String settings = pattern == null ? "{\"host\":\"broker.example\"}"
                : Json.strict().writeValueAsString(Map.of("host", "broker.example", "deviceIdPattern", pattern));
        HttpResponse<String> created = service.send("POST", "/api/v1/integrations", admin,
                "{\"name\":\"broker\",\"settings\":" + settings + "}");
        assertEquals(201, created.statusCode(), created.body());
        return Json.strict().readTree(created.body()).path("id").asText();
    }

    private static HttpResponse<String> ingest(RuntimeHarness service, Gateway gw, String topic) {
        try {
            return service.send("POST", "/api/v1/ingest", gw.key, "{\"topic\":\"" + topic + "\",\"payload\":{\"v\":1}}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
