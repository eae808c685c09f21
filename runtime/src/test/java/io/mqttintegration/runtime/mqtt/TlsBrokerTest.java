package io.mqttintegration.runtime.mqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestCertificates;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mqtts to a real Mosquitto TLS listener with certificates made for the test. */
class TlsBrokerTest {

    @TempDir
    static Path work;
    static MosquittoBroker broker;
    static RuntimeHarness service;
    static String admin;
    static String ca;
    static String otherCa;

    @BeforeAll
    static void start() throws Exception {
        TestCertificates certs = TestCertificates.create(work.resolve("certs"), "localhost");
        ca = Files.readString(certs.caCert());
        otherCa = Files.readString(TestCertificates.create(work.resolve("other"), "localhost").caCert());
        broker = MosquittoBroker.startTls(work.resolve("mosquitto"), certs.cert(), certs.key());
        service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of());
        admin = service.createOrganization("o").adminKey();
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        broker.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    static String integration(String host, String caPem, boolean verifyHostname) throws Exception {
        String tls = Json.strict().writeValueAsString(Map.of("caCertPem", caPem, "verifyHostname", verifyHostname));
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations", admin, "{\"name\":\"tls\",\"settings\":"
                + "{\"protocol\":\"mqtts\",\"host\":\"" + host + "\",\"port\":" + broker.port() + ",\"tls\":" + tls + "}}");
        assertEquals(201, r.statusCode(), r.body());
        return json(r).path("id").asText();
    }

    static JsonNode test(String id) throws Exception {
        return json(service.send("POST", "/api/v1/integrations/" + id + "/test", admin, null));
    }

    @Test
    void aBrokerWhoseCertificateTheIntegrationsCaSignedIsReachable() throws Exception {
        String id = integration("localhost", ca, true);
        JsonNode report = test(id);
        assertTrue(report.path("ok").asBoolean(), report.toString());
        assertEquals("tls", report.path("steps").get(2).path("step").asText());
        HttpResponse<String> published = service.send("POST", "/api/v1/integrations/" + id + "/publish", admin,
                "{\"topic\":\"secure/t\",\"payload\":1}");
        assertEquals(200, published.statusCode(), published.body());
    }

    @Test
    void anotherCaOrAnotherNameIsATlsError() throws Exception {
        JsonNode wrongCa = test(integration("localhost", otherCa, true));
        assertEquals("tls", wrongCa.path("error").asText(), wrongCa.toString());
        HttpResponse<String> publish = service.send("POST", "/api/v1/integrations/" + integration("localhost", otherCa, true)
                + "/publish", admin, "{\"topic\":\"secure/t\",\"payload\":1}");
        assertEquals(502, publish.statusCode());
        assertEquals("broker_tls", json(publish).path("error").asText(), publish.body());
    }

    @Test
    void aSubscriptionHoldsItsSessionOverTlsAndAWrongCaIsShownAsATlsError() throws Exception {
        String id = integration("localhost", ca, true);
        assertEquals(200, service.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin,
                "{\"topics\":[\"secure/devices/+/telemetry\"]}").statusCode());
        await("connected over TLS").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> json(service.send("GET", "/api/v1/integrations/" + id, admin, null)).path("subscription").path("state")
                        .asText().equals("connected"));
        broker.subscribed("secure/devices/+/telemetry");
        assertEquals(200, service.send("POST", "/api/v1/integrations/" + id + "/publish", admin,
                "{\"topic\":\"secure/devices/d5/telemetry\",\"payload\":{\"t\":5},\"qos\":1}").statusCode());
        await("stored").atMost(java.time.Duration.ofSeconds(20))
                .until(() -> json(service.send("GET", "/api/v1/telemetry/latest?deviceId=d5&integrationId=" + id, admin, null))
                        .path("items").size() == 1);

        String wrong = integration("localhost", otherCa, true);
        assertEquals(200, service.send("POST", "/api/v1/integrations/" + wrong + "/subscribe", admin,
                "{\"topics\":[\"secure/#\"]}").statusCode());
        await("a tls error").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> json(service.send("GET", "/api/v1/integrations/" + wrong, admin, null)).path("subscription")
                        .path("lastError").asText().startsWith("tls:"));
        assertEquals("error", json(service.send("GET", "/api/v1/integrations/" + wrong, admin, null)).path("subscription")
                .path("state").asText());
    }
}
