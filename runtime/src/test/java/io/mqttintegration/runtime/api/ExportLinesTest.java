package io.mqttintegration.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.storage.tenants.TelemetryStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The lines of an export, without Camel or a database. */
class ExportLinesTest {

    static final UUID INTEGRATION = UUID.fromString("01a21900-0000-7000-8000-000000000001");

    static TelemetryStore.Received reading(String device, String units) {
        return new TelemetryStore.Received(new TelemetryStore.Row(device, Instant.parse("2026-11-26T10:00:00Z"), "{\"t\": 1.5}",
                units, "farm/" + device, INTEGRATION, null, 0), Instant.parse("2026-11-26T10:00:01.250Z"));
    }

    static <T> String text(ExportLines<T> lines, T row, boolean header) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (header) {
            lines.header(out);
        }
        lines.line(row, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void csvQuotesOnlyFieldsThatNeedItAndDoublesQuotes() {
        assertEquals("plain", ExportLines.csvField("plain"));
        assertEquals("\"a,b\"", ExportLines.csvField("a,b"));
        assertEquals("\"say \"\"hi\"\"\"", ExportLines.csvField("say \"hi\""));
        assertEquals("\"line1\nline2\"", ExportLines.csvField("line1\nline2"));
        assertEquals("\"cr\r\"", ExportLines.csvField("cr\r"));
        assertEquals("", ExportLines.csvField(""));
    }

    @Test
    void csvReadingsHaveAHeaderAndCrlfLines() throws Exception {
        assertEquals("deviceId,timestamp,metrics,units,topic,integrationId,receivedAt\r\n"
                + "\"a,b\",2026-11-26T10:00:00Z,\"{\"\"t\"\": 1.5}\",,\"farm/a,b\"," + INTEGRATION + ",2026-11-26T10:00:01.250Z\r\n",
                text(ExportLines.readings(ExportLines.Format.CSV), reading("a,b", "{}"), true));
    }

    @Test
    void ndjsonReadingsAreOneObjectPerLineWithoutEmptyUnits() throws Exception {
        ExportLines<TelemetryStore.Received> lines = ExportLines.readings(ExportLines.Format.NDJSON);
        String text = text(lines, reading("d\n\"1\"", null), true);
        assertEquals(1, text.split("\n").length);
        assertEquals('\n', text.charAt(text.length() - 1));
        JsonNode json = Json.strict().readTree(text);
        assertEquals("d\n\"1\"", json.path("deviceId").asText());
        assertEquals(1.5, json.path("metrics").path("t").asDouble());
        assertEquals(false, json.has("units"));
        assertEquals("V", Json.strict().readTree(text(lines, reading("d", "{\"t\": \"V\"}"), false)).path("units").path("t").asText());
    }

    @Test
    void messagesCarryTheirPayloadAsTextOrElseBase64() throws Exception {
        TelemetryStore.Message text = new TelemetryStore.Message(INTEGRATION, INTEGRATION, "http", "t", null,
                "a,\"b\"".getBytes(StandardCharsets.UTF_8), "failed", "standard: not JSON", Instant.parse("2026-11-26T10:00:00Z"));
        TelemetryStore.Message binary = new TelemetryStore.Message(INTEGRATION, INTEGRATION, "mqtt", "t", "application/octet-stream",
                new byte[] {(byte) 0xc3, 0x28}, "raw", null, Instant.parse("2026-11-26T10:00:00Z"));
        assertEquals(INTEGRATION + "," + INTEGRATION + ",http,t,,\"a,\"\"b\"\"\",,failed,standard: not JSON,2026-11-26T10:00:00Z\r\n",
                text(ExportLines.messages(ExportLines.Format.CSV), text, false));
        JsonNode json = Json.strict().readTree(text(ExportLines.messages(ExportLines.Format.NDJSON), binary, false));
        assertEquals("wyg=", json.path("payloadBase64").asText());
        assertEquals(false, json.has("payload"));
        assertEquals(false, json.has("parseError"));
        assertEquals(true, json.path("contentType").isTextual());
    }
}
