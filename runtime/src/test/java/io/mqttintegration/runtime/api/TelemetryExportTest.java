package io.mqttintegration.runtime.api;

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
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/v1/telemetry/export over HTTP against a real PostgreSQL: content, formats, isolation, streaming, release. */
class TelemetryExportTest {

    static final String DAY = "from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z";
    static final int LARGE = 200_000;

    @TempDir
    static Path work;
    static DataSource db;
    static RuntimeHarness service;
    static String reader;
    static String large;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.newDatabase();
        service = RuntimeHarness.start(db, work, Map.of()).withIngestKey();
        reader = key(service.organizationId, "read");
        // Stored as received on 2026-11-26, inserted out of order: the export sorts by receive time.
        insert(service.integrationId, "2026-11-26T10:00:02Z", "say \"hi\"", "{\"t\": 2}", null, "x".getBytes(StandardCharsets.UTF_8));
        insert(service.integrationId, "2026-11-26T10:00:00Z", "d-1", "{\"t\": 0}", "{\"t\": \"Cel\"}",
                "{\"t\":0, \"note\":\"a,b \\\"q\\\"\\nnext line\"}".getBytes(StandardCharsets.UTF_8));
        insert(service.integrationId, "2026-11-26T10:00:01Z", "a,b", "{\"t\": 1}", null, new byte[] {(byte) 0xff, 0, 1});
        insert(service.integrationId, "2026-11-26T10:00:03Z", "line1\nline2", "{\"t\": 3}", null, "y".getBytes(StandardCharsets.UTF_8));
        insert(service.integrationId, "2026-11-27T00:00:00Z", "d-1", "{\"t\": 4}", null, "z".getBytes(StandardCharsets.UTF_8));
        // A second integration of the same organization holds the large export.
        String admin = Json.strict().readTree(service.send("POST", "/api/v1/organizations/" + service.organizationId + "/api-keys",
                RuntimeHarness.OPERATOR_KEY, "{\"name\":\"admin\",\"scopes\":[\"admin\"]}").body()).path("key").asText();
        large = Json.strict().readTree(service.send("POST", "/api/v1/integrations", admin,
                "{\"name\":\"large\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}").body()).path("id").asText();
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO mqtt_messages (message_id, seq, organization_id, integration_id, source, topic, payload,"
                    + " device_id, ts, metrics, parse_status, received_at)"
                    + " SELECT gen_random_uuid(), 0, '" + service.organizationId + "', '" + large + "', 'mqtt',"
                    + " 'farm/devices/d-' || (i % 100) || '/telemetry', convert_to('{\"temperature\":' || i || '}', 'UTF8'),"
                    + " 'd-' || (i % 100), timestamptz '2026-11-26T00:00:00Z' + i * interval '100 milliseconds',"
                    + " jsonb_build_object('temperature', i, 'humidity', 40 + i % 20), 'parsed',"
                    + " timestamptz '2026-11-26T00:00:00Z' + i * interval '100 milliseconds'"
                    + " FROM generate_series(0, " + (LARGE - 1) + ") i");
        }
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    static String key(String org, String scope) throws Exception {
        return Json.strict().readTree(service.send("POST", "/api/v1/organizations/" + org + "/api-keys", RuntimeHarness.OPERATOR_KEY,
                "{\"name\":\"" + scope + "\",\"scopes\":[\"" + scope + "\"]}").body()).path("key").asText();
    }

    static void insert(String integration, String receivedAt, String device, String metrics, String units, byte[] payload)
            throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO mqtt_messages"
                + " (message_id, seq, organization_id, integration_id, source, topic, payload, content_type, device_id, ts, metrics,"
                + " units, parse_status, received_at) VALUES (?, 0, ?::uuid, ?::uuid, 'mqtt', ?, ?, 'application/json', ?,"
                + " ?::timestamptz - interval '1 minute', ?::jsonb, ?::jsonb, 'parsed', ?::timestamptz)")) {
            ps.setObject(1, UUID.randomUUID());
            ps.setString(2, service.organizationId);
            ps.setString(3, integration);
            ps.setString(4, "farm/devices/" + device + "/t");
            ps.setBytes(5, payload);
            ps.setString(6, device);
            ps.setString(7, receivedAt);
            ps.setString(8, metrics);
            ps.setString(9, units);
            ps.setString(10, receivedAt);
            ps.executeUpdate();
        }
    }

    static HttpResponse<String> export(String query, String key, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.uri("/api/v1/telemetry/export?" + query))
                .timeout(Duration.ofSeconds(60));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> ok(String query, String accept) throws Exception {
        HttpResponse<String> r = export(query, reader, accept);
        assertEquals(200, r.statusCode(), query + " -> " + r.body());
        return r;
    }

    /** RFC 4180 records (quoted fields may hold commas, doubled quotes, CR and LF). */
    static List<List<String>> csv(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
                i++;
            } else {
                field.append(c);
            }
        }
        assertTrue(field.length() == 0 && record.isEmpty(), "the last line ends in CRLF");
        return records;
    }

    @Test
    void csvReadingsOldestFirstWithQuotedCommasQuotesAndNewlines() throws Exception {
        HttpResponse<String> r = ok("integrationId=" + service.integrationId + "&" + DAY, null);
        assertEquals("text/csv; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""), "CSV without format or Accept");
        assertTrue(r.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment; filename=\"readings-"));
        assertFalse(r.headers().firstValue("Content-Length").isPresent(), "streamed: chunked, no length");
        List<List<String>> rows = csv(r.body());
        assertEquals(List.of("deviceId", "timestamp", "metrics", "units", "topic", "integrationId", "receivedAt"), rows.get(0));
        assertEquals(5, rows.size(), "a header and four readings; to is exclusive: " + rows);
        assertEquals(List.of("d-1", "2026-11-26T09:59:00Z", "{\"t\": 0}", "{\"t\": \"Cel\"}", "farm/devices/d-1/t",
                service.integrationId, "2026-11-26T10:00:00Z"), rows.get(1));
        assertEquals("a,b", rows.get(2).get(0));
        assertEquals("say \"hi\"", rows.get(3).get(0));
        assertEquals("", rows.get(3).get(3), "no units: an empty cell");
        assertEquals("line1\nline2", rows.get(4).get(0));
        assertTrue(r.body().contains("\"say \"\"hi\"\"\""), "quotes doubled inside a quoted field: " + r.body());
    }

    @Test
    void ndjsonByParameterOrAcceptHeaderOneObjectPerLine() throws Exception {
        String query = "integrationId=" + service.integrationId + "&" + DAY;
        HttpResponse<String> byParam = ok(query + "&format=ndjson", "text/csv");
        HttpResponse<String> byAccept = ok(query, "application/x-ndjson");
        assertEquals(byParam.body(), byAccept.body());
        assertEquals("application/x-ndjson", byAccept.headers().firstValue("Content-Type").orElse(""));
        assertEquals("text/csv; charset=utf-8", ok(query, "application/x-ndjson, text/csv").headers().firstValue("Content-Type")
                .orElse(""), "both accepted: CSV");
        assertTrue(byParam.body().endsWith("\n"));
        String[] lines = byParam.body().split("\n");
        assertEquals(4, lines.length);
        JsonNode first = Json.strict().readTree(lines[0]);
        assertEquals("d-1", first.path("deviceId").asText());
        assertEquals(0, first.path("metrics").path("t").asInt(), "metrics as a JSON object");
        assertEquals("Cel", first.path("units").path("t").asText());
        assertEquals(service.integrationId, first.path("integrationId").asText());
        assertEquals("2026-11-26T10:00:00Z", first.path("receivedAt").asText());
        assertFalse(Json.strict().readTree(lines[1]).has("units"), "no units: left out, as GET /api/v1/telemetry does");
        assertEquals("line1\nline2", Json.strict().readTree(lines[3]).path("deviceId").asText());
    }

    @Test
    void messagesWithTheirPayloadAsTextOrBase64() throws Exception {
        String query = "integrationId=" + service.integrationId + "&" + DAY + "&what=messages";
        List<List<String>> rows = csv(ok(query, null).body());
        assertEquals(List.of("messageId", "integrationId", "source", "topic", "contentType", "payload", "payloadBase64",
                "parseStatus", "parseError", "receivedAt"), rows.get(0));
        assertEquals(5, rows.size());
        assertEquals("{\"t\":0, \"note\":\"a,b \\\"q\\\"\\nnext line\"}", rows.get(1).get(5), "a payload with commas and quotes");
        assertEquals("", rows.get(2).get(5));
        assertEquals(Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0, 1}), rows.get(2).get(6), "not UTF-8: base64");
        String[] lines = ok(query + "&format=ndjson", null).body().split("\n");
        JsonNode binary = Json.strict().readTree(lines[1]);
        assertEquals("/wAB", binary.path("payloadBase64").asText());
        assertFalse(binary.has("payload"));
        assertEquals("parsed", binary.path("parseStatus").asText());
    }

    @Test
    void filtersByDeviceAndByReceiveTime() throws Exception {
        List<List<String>> d1 = csv(ok("integrationId=" + service.integrationId
                + "&deviceId=d-1&from=2026-11-26T00:00:00Z&to=2026-11-28T00:00:00Z", null).body());
        assertEquals(3, d1.size(), "d-1 twice: " + d1);
        assertEquals("2026-11-27T00:00:00Z", d1.get(2).get(6));
        List<List<String>> window = csv(ok("integrationId=" + service.integrationId
                + "&from=2026-11-26T10:00:01Z&to=2026-11-26T10:00:03Z", null).body());
        assertEquals(List.of("a,b", "say \"hi\""), window.subList(1, window.size()).stream().map(r -> r.get(0)).toList(),
                "from inclusive, to exclusive");
        assertEquals(1, csv(ok("integrationId=" + service.integrationId + "&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z",
                null).body()).size(), "nothing in range: the header alone");
    }

    @Test
    void refusesBadParametersAndStaysInTheOrganization() throws Exception {
        String id = "integrationId=" + service.integrationId;
        for (String bad : List.of(DAY, id + "&from=2026-11-26T00:00:00Z", id + "&to=2026-11-26T00:00:00Z",
                id + "&from=yesterday&to=2026-11-26T00:00:00Z", "integrationId=nope&" + DAY, id + "&" + DAY + "&format=xml",
                id + "&" + DAY + "&what=everything", id + "&" + DAY + "&what=messages&deviceId=d-1",
                id + "&from=2026-11-26T00:00:00Z&to=2026-11-26T00:00:00Z")) {
            HttpResponse<String> r = export(bad, reader, null);
            assertEquals(400, r.statusCode(), bad + " -> " + r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), "errors are JSON");
            assertTrue(Json.strict().readTree(r.body()).path("error").isTextual(), r.body());
        }
        assertEquals(404, export("integrationId=" + UUID.randomUUID() + "&" + DAY, reader, null).statusCode());
        assertEquals(401, export(id + "&" + DAY, null, null).statusCode());
        assertEquals(403, export(id + "&" + DAY, service.ingestKey, null).statusCode(), "scope read");
        String other = Json.strict().readTree(service.send("POST", "/api/v1/organizations", RuntimeHarness.OPERATOR_KEY,
                "{\"name\":\"other\"}").body()).path("id").asText();
        HttpResponse<String> foreign = export(id + "&" + DAY, key(other, "read"), null);
        assertEquals(404, foreign.statusCode(), "another organization's integration is not found: " + foreign.body());
        assertEquals(404, export(id + "&" + DAY + "&organizationId=" + other, RuntimeHarness.OPERATOR_KEY, null).statusCode());
        HttpResponse<String> operator = export(id + "&" + DAY + "&organizationId=" + service.organizationId,
                RuntimeHarness.OPERATOR_KEY, null);
        assertEquals(200, operator.statusCode(), operator.body());
        assertEquals(5, csv(operator.body()).size(), "the operator names the organization");
    }

    @Test
    void aLargeExportStreamsWithBoundedMemory() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long before = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(before);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        long started = System.nanoTime();
        long lines = 0;
        long bytes = 0;
        HttpRequest request = HttpRequest.newBuilder(service.uri("/api/v1/telemetry/export?integrationId=" + large + "&" + DAY))
                .header("Authorization", "Bearer " + reader).build();
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        String last = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines++;
                bytes += line.length() + 2;
                last = line;
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        running.set(false);
        sampler.join();
        System.out.printf("export of %,d readings: %,d bytes of CSV in %.2f s (%,.0f rows/s); heap used %,d KB before,"
                + " %,d KB at most while exporting (max heap %,d KB)%n", LARGE, bytes, seconds, LARGE / seconds, before / 1024,
                peak.get() / 1024, memory.getHeapMemoryUsage().getMax() / 1024);
        assertEquals(LARGE + 1, lines, "a header and every reading");
        assertTrue(last.startsWith("d-99,2026-11-26T05:33:19.900Z,"), last);
        awaitNoOpenExport();
    }

    @Test
    void theExportIsSentWhileReadAndAClientThatGoesAwayReleasesTheConnection() throws Exception {
        // Several clients leave, each at a different point: right after the head, or after holding the answer a while
        // (the server's write queue full, Camel's pump paused).
        for (int client = 0; client < 6; client++) {
            try (Socket socket = new Socket("127.0.0.1", service.runtime.httpPort())) {
                socket.setReceiveBufferSize(16 * 1024);
                OutputStream out = socket.getOutputStream();
                out.write(("GET /api/v1/telemetry/export?integrationId=" + large + "&" + DAY + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Authorization: Bearer " + reader + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                byte[] head = new byte[4096];
                int n = in.read(head);
                String start = new String(head, 0, n, StandardCharsets.ISO_8859_1);
                assertTrue(start.startsWith("HTTP/1.1 200"), start);
                assertTrue(start.toLowerCase().contains("transfer-encoding: chunked"), start);
                if (client % 2 == 0) {
                    // The client reads no further: the rows not yet sent are still in the database cursor, not in memory.
                    Thread.sleep(300 + client * 100);
                    assertEquals(1, openExports(), "the export's transaction is open while the client holds the answer");
                }
            }
            awaitNoOpenExport();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (service.runtime.camelContext().getInflightRepository().size() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, service.runtime.camelContext().getInflightRepository().size(),
                    "client " + client + ": the exchange ended too");
        }
    }

    @Test
    void aDatabaseFailureMidExportTruncatesTheTransferInsteadOfEndingIt() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(service.uri("/api/v1/telemetry/export?integrationId=" + large + "&" + DAY
                + "&format=ndjson")).header("Authorization", "Bearer " + reader).build();
        HttpResponse<InputStream> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            assertTrue(in.readLine().startsWith("{\"deviceId\":\"d-0\""));
            try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                        + " AND query LIKE '-- telemetry-export%'");
            }
            long lines = 1;
            java.io.IOException cut = null;
            try {
                while (in.readLine() != null) {
                    lines++;
                }
            } catch (java.io.IOException e) {
                cut = e;
            }
            System.out.println("mid-export failure: the client read " + lines + " lines, then " + cut);
            assertTrue(cut != null, "the transfer is cut, not ended as if complete, after " + lines + " lines");
            assertTrue(lines < LARGE, "the rest was not sent: " + lines);
        }
        awaitNoOpenExport();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (service.runtime.camelContext().getInflightRepository().size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, service.runtime.camelContext().getInflightRepository().size(), "the exchange ended");
    }

    @Test
    void atMostTwoExportsRunAtOnceAndAThirdIsToldToRetry() throws Exception {
        List<Socket> holding = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket socket = new Socket("127.0.0.1", service.runtime.httpPort());
                holding.add(socket);
                socket.getOutputStream().write(("GET /api/v1/telemetry/export?integrationId=" + large + "&" + DAY
                        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + reader + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] head = new byte[1024];
                assertTrue(new String(head, 0, socket.getInputStream().read(head), StandardCharsets.ISO_8859_1)
                        .startsWith("HTTP/1.1 200"));
            }
            HttpResponse<String> third = export("integrationId=" + service.integrationId + "&" + DAY, reader, null);
            assertEquals(503, third.statusCode(), third.body());
            assertEquals("exports_busy", Json.strict().readTree(third.body()).path("error").asText());
            assertEquals("10", third.headers().firstValue("Retry-After").orElse(""));
        } finally {
            for (Socket socket : holding) {
                socket.close();
            }
        }
        awaitNoOpenExport();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        HttpResponse<String> after;
        do {
            after = export("integrationId=" + service.integrationId + "&" + DAY, reader, null);
        } while (after.statusCode() == 503 && System.nanoTime() < deadline);
        assertEquals(200, after.statusCode(), "the clients that left gave their slots back: " + after.body());
    }

    @Test
    void aClientThatStopsReadingIsClosedByTheIdleTimeoutAndReleasesTheConnection() throws Exception {
        // A second service on the same database and folder (so the same key-hashing secret), with a 2 s idle timeout.
        try (RuntimeHarness idle = RuntimeHarness.start(db, work, Map.of("http.idleTimeoutSeconds", "2"));
                Socket socket = new Socket("127.0.0.1", idle.runtime.httpPort())) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.getOutputStream().write(("GET /api/v1/telemetry/export?integrationId=" + large + "&" + DAY
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + reader + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] head = new byte[1024];
            assertTrue(new String(head, 0, socket.getInputStream().read(head), StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"));
            // The client keeps the connection open and reads nothing more.
            assertEquals(1, openExports(), "the export waits for the client");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((openExports() > 0 || idle.runtime.camelContext().getInflightRepository().size() > 0)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0, openExports(), "the idle timeout closed the connection, and that released the cursor");
            assertEquals(0, idle.runtime.camelContext().getInflightRepository().size(), "the exchange ended");
        }
    }

    static void awaitNoOpenExport() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (openExports() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, openExports(), "no export transaction left open");
    }

    /** Backends whose last statement is an export's query and whose transaction is still open. */
    static long openExports() throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                        + " AND query LIKE '-- telemetry-export%' AND state <> 'idle'");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
