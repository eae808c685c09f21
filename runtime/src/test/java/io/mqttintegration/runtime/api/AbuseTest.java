package io.mqttintegration.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guessing keys is throttled; SSRF attempts through the connection test are refused alike. */
@Tag("reliability")
class AbuseTest {

    @TempDir
    Path work;

    @Test
    void guessingKeysIsThrottledPerAddress() throws Exception {
        try (RuntimeHarness service = RuntimeHarness.start(TestDatabase.newDatabase(), work,
                Map.of("security.authFailuresPerMinute", "10"))) {
            String admin = service.createOrganization("o").adminKey();
            for (int i = 0; i < 10; i++) {
                String guess = "mqi_aaaaaaaaaaa" + (char) ('a' + i) + "_" + "x".repeat(43);
                assertEquals(401, service.send("GET", "/api/v1/integrations", guess, null).statusCode());
            }
            HttpResponse<String> blocked = service.send("GET", "/api/v1/integrations", "mqi_wrong", null);
            assertEquals(429, blocked.statusCode(), blocked.body());
            assertTrue(blocked.body().contains("\"too_many_failures\"") && blocked.body().contains("127.0.0.1"), blocked.body());
            assertTrue(Integer.parseInt(blocked.headers().firstValue("Retry-After").orElse("0")) > 0);
            assertEquals(429, service.send("GET", "/api/v1/integrations", admin, null).statusCode(),
                    "while throttled even a right key waits: guessing stays slow");
            assertEquals(429, service.send("POST", "/api/v1/ingest", "mqi_wrong", "{\"topic\":\"t\",\"payload\":1}").statusCode());
        }
    }

    @Test
    void ssrfAttemptsAreRefusedWithTheSameShapeInProduction() throws Exception {
        try (ServerSocket local = new ServerSocket(0);
                RuntimeHarness service = RuntimeHarness.start(TestDatabase.newDatabase(), work,
                        Map.of("mqtt.allowPrivateTargets", "false"))) {
            local.setSoTimeout(200);
            String admin = service.createOrganization("o").adminKey();
            int port = local.getLocalPort();
            List<String> shapes = new ArrayList<>();
            for (String host : List.of("127.0.0.1", "169.254.169.254", "::ffff:127.0.0.1", "localhost", "0.0.0.0", "10.0.0.1",
                    "fd00:ec2::254", "224.0.0.1")) {
                HttpResponse<String> created = service.send("POST", "/api/v1/integrations", admin,
                        "{\"name\":\"x\",\"settings\":{\"host\":\"" + host + "\",\"port\":" + port + "}}");
                assertEquals(201, created.statusCode(), host + ": " + created.body());
                String id = Json.strict().readTree(created.body()).path("id").asText();
                JsonNode test = Json.strict().readTree(service.send("POST", "/api/v1/integrations/" + id + "/test", admin, null).body());
                assertEquals(false, test.path("ok").asBoolean(), host + ": " + test);
                assertEquals("refused", test.path("error").asText(), host + ": " + test);
                HttpResponse<String> publish = service.send("POST", "/api/v1/integrations/" + id + "/publish", admin,
                        "{\"topic\":\"t\",\"payload\":1}");
                assertEquals(502, publish.statusCode(), host + ": " + publish.body());
                shapes.add(test.path("error").asText() + "|" + lastStep(test) + "|" + publish.body());
            }
            assertEquals(1, shapes.stream().distinct().count(), "every refused target looks the same: " + shapes);
            try {
                local.accept().close();
                throw new AssertionError("a connection reached the loopback listener");
            } catch (SocketTimeoutException expected) {
                // nothing connected
            }
        }
    }

    private static String lastStep(JsonNode test) {
        JsonNode steps = test.path("steps");
        JsonNode last = steps.get(steps.size() - 1);
        return last.path("step").asText() + ":" + last.path("ok").asBoolean() + ":" + last.path("detail").asText();
    }
}
