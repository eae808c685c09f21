package io.mqttintegration.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each integration's parser choice: its parser, per-topic rules, and its device id pattern. */
class ParserSelectionTest {

    @TempDir
    Path work;

    @Test
    void messagesAreParsedWithTheirIntegrationsParsers() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of()).withIngestKey()) {
            HttpResponse<String> patched = service.send("PATCH", "/api/v1/integrations/" + service.integrationId,
                    adminKey(service),
                    "{\"settings\":{\"parser\":\"senml\",\"parsers\":[{\"topic\":\"archive/#\",\"parser\":\"raw\"},"
                            + "{\"topic\":\"plain/+\",\"parser\":\"standard\"}],\"deviceIdPattern\":\"plain/{deviceId}\"}}");
            assertEquals(200, patched.statusCode(), patched.body());

            HttpResponse<String> r = service.postJson("/api/v1/ingest", "["
                    + "{\"topic\":\"site/senml\",\"payload\":[{\"bn\":\"urn:dev:ow:1:\",\"n\":\"voltage\",\"u\":\"V\",\"v\":120.1},"
                    + "{\"n\":\"current\",\"u\":\"A\",\"v\":1.2}]},"
                    + "{\"topic\":\"archive/2026/blob\",\"payload\":{\"anything\":true}},"
                    + "{\"topic\":\"plain/d-42\",\"payload\":{\"temp\":21.5}},"
                    + "{\"topic\":\"site/senml\",\"payload\":{\"not\":\"a pack\"}}]");
            assertEquals(202, r.statusCode(), r.body());

            assertEquals("urn:dev:ow:1|{\"current\": 1.2, \"voltage\": 120.1}|{\"current\": \"A\", \"voltage\": \"V\"}",
                    Rows.text(db, "SELECT device_id || '|' || metrics::text || '|' || units::text FROM mqtt_messages"
                            + " WHERE topic = 'site/senml' AND parse_status = 'parsed'"), "senml, the integration's parser");
            assertEquals("raw", Rows.text(db, "SELECT parse_status FROM mqtt_messages WHERE topic = 'archive/2026/blob'"),
                    "the archive/# rule keeps payloads raw");
            assertEquals("d-42", Rows.text(db, "SELECT device_id FROM mqtt_messages WHERE topic = 'plain/d-42'"),
                    "standard by rule, device from the integration's pattern");
            assertEquals("senml: a SenML pack must be a JSON array of records", Rows.text(db,
                    "SELECT parse_error FROM mqtt_messages WHERE topic = 'site/senml' AND parse_status = 'failed'"),
                    "a payload that fails to parse is still stored, with the reason, and its batch is not harmed");
        }
    }

    private static String adminKey(RuntimeHarness service) throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/organizations/" + service.organizationId + "/api-keys",
                RuntimeHarness.OPERATOR_KEY, "{\"name\":\"admin\",\"scopes\":[\"admin\"]}");
        return io.mqttintegration.parsers.Json.strict().readTree(r.body()).path("key").asText();
    }

    @Test
    void aParserFileWrittenAtRunTimeIsUsedAndItsReadingsCanBeQueried() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of()).withIngestKey()) {
            java.nio.file.Files.writeString(work.resolve("parsers/pipe.parser.yaml"),
                    "name: pipe\nformat: csv\nseparator: \"|\"\ncolumns: [deviceId, _, level]\n");
            String admin = adminKey(service);
            HttpResponse<String> patched = null;
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            do {
                java.util.concurrent.TimeUnit.MILLISECONDS.sleep(100);
                patched = service.send("PATCH", "/api/v1/integrations/" + service.integrationId, admin,
                        "{\"settings\":{\"parser\":\"pipe\"}}");
            } while (patched.statusCode() == 400 && System.nanoTime() < deadline);
            assertEquals(200, patched.statusCode(), "the new parser is known once its file is loaded: " + patched.body());

            assertEquals(202, service.postJson("/api/v1/ingest",
                    "{\"topic\":\"tank/7\",\"payload\":\"tank-7|ignored|81.5\"}").statusCode());
            HttpResponse<String> telemetry = service.send("GET", "/api/v1/telemetry?deviceId=tank-7", admin, null);
            assertEquals(200, telemetry.statusCode(), telemetry.body());
            assertEquals("{\"level\":81.5}", io.mqttintegration.parsers.Json.strict().readTree(telemetry.body())
                    .path("items").get(0).path("metrics").toString());
        }
    }
}
