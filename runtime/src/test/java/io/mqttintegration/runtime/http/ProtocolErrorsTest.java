package io.mqttintegration.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests the HTTP server refuses before any route runs (malformed header bytes, a request line
 * or headers over the limits, conflicting Content-Lengths) are answered in the documented JSON error
 * shape, over raw sockets since no HTTP client sends them.
 */
class ProtocolErrorsTest {

    @TempDir
    static Path work;
    static RuntimeHarness service;

    @BeforeAll
    static void start() throws Exception {
        service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of());
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private record Expected(int status, String error) {
    }

    @Test
    void protocolErrorsAreAnsweredWithAJsonError() throws Exception {
        Map<String, Expected> cases = new LinkedHashMap<>();
        cases.put("GET /health HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", new Expected(400, "bad_request"));
        cases.put("GET /health HTTP/1.1\r\nHost: x\r\nX-A\u0001b: y\r\n\r\n", new Expected(400, "bad_request"));
        cases.put("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n", new Expected(414, "uri_too_long"));
        cases.put("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n", new Expected(431, "headers_too_large"));
        cases.put("POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                + "Content-Length: 3\r\n\r\n{}", new Expected(400, "bad_request"));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Expected> c : cases.entrySet()) {
            String name = c.getKey().length() > 60 ? c.getKey().substring(0, 60) + "..." : c.getKey();
            String answer = exchange(c.getKey());
            System.out.println(name.replace("\r\n", "\\r\\n") + " -> " + answer.replace("\r\n", " | "));
            String problem = check(answer, c.getValue());
            if (problem != null) {
                problems.add(name.replace("\r\n", "\\r\\n") + ": " + problem);
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    private static String check(String answer, Expected expected) {
        int end = answer.indexOf("\r\n\r\n");
        if (!answer.startsWith("HTTP/1.") || end < 0) {
            return "no HTTP answer: " + answer;
        }
        String head = answer.substring(0, end).toLowerCase(java.util.Locale.ROOT);
        if (!answer.substring(answer.indexOf(' ') + 1).startsWith(expected.status() + " ")) {
            return "status line " + answer.substring(0, answer.indexOf("\r\n"));
        }
        if (!head.contains("content-type: application/json")) {
            return "not JSON: " + answer.substring(0, end);
        }
        try {
            JsonNode body = Json.strict().readTree(answer.substring(end + 4));
            if (body == null || !expected.error().equals(body.path("error").asText()) || !body.path("detail").isTextual()) {
                return "body " + answer.substring(end + 4);
            }
        } catch (Exception e) {
            return "body is not JSON: " + answer.substring(end + 4);
        }
        return null;
    }

    /** Sends the bytes and reads the answer until the server closes the connection. */
    private static String exchange(String request) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", service.runtime.httpPort())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    @Test
    void theSizeLimitsStillLetOrdinaryRequestsThrough() throws Exception {
        String answer = exchange("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: " + "a".repeat(4000) + "\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        assertEquals(-1, answer.indexOf("\"error\""), answer);
    }
}
