package io.mqttintegration.runtime.mqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestCertificates;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SSRF guard through the API: what test and publish answer, and where connections go. */
class BrokerGuardApiTest {

    @TempDir
    Path work;

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    static String integration(RuntimeHarness service, String admin, String host, int port) throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations", admin,
                "{\"name\":\"b\",\"settings\":{\"host\":\"" + host + "\",\"port\":" + port + "}}");
        assertEquals(201, r.statusCode(), r.body());
        return json(r).path("id").asText();
    }

    /** The test's answer without its timings: what a caller can tell apart. */
    static String shape(RuntimeHarness service, String admin, String id) throws Exception {
        JsonNode test = json(service.send("POST", "/api/v1/integrations/" + id + "/test", admin, null));
        ((ObjectNode) test).remove("latencyMs");
        test.path("steps").forEach(s -> ((ObjectNode) s).remove("ms"));
        return test.toString();
    }

    @Test
    void aGuardRefusalAnswersExactlyLikeARefusedTcpConnection() throws Exception {
        int closed = RuntimeHarness.freePort();
        try (RuntimeHarness service = RuntimeHarness.start(TestDatabase.newDatabase(), work,
                Map.of("mqtt.allowPrivateTargets", "true"))) {
            String admin = service.createOrganization("o").adminKey();
            String real = shape(service, admin, integration(service, admin, "127.0.0.1", closed));
            String guard = shape(service, admin, integration(service, admin, "0.0.0.0", closed));
            System.out.println("refused by the broker: " + real + "\nrefused by the guard:  " + guard);
            assertEquals(real, guard, "a refusal by the guard must not be told apart from a refused TCP connection");
        }
    }

    /** The test's DNS: names the JVM's own resolver does not know (.test), answered with IPv6 forms. */
    private static final BrokerTargets.Resolver DNS = BrokerTargetsTest.names(Map.of(
            "mapped-loopback.test", "::ffff:127.0.0.1",
            "mapped-zero.test", "::ffff:0.0.0.0",
            "nat64-loopback.test", "64:ff9b::7f00:1",
            "broker.test", "127.0.0.1",
            "tls.test", "127.0.0.1"));

    @Test
    void namesResolvingToMappedLoopbackOrUnspecifiedAreRefusedThroughTestPublishAndSubscribe() throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress("0.0.0.0", 0));
            listener.setSoTimeout(300);
            int port = listener.getLocalPort();
            try (RuntimeHarness service = RuntimeHarness.start(TestDatabase.newDatabase(), work,
                    Map.of("mqtt.allowPrivateTargets", "false"), DNS)) {
                String admin = service.createOrganization("o").adminKey();
                for (String host : List.of("mapped-loopback.test", "mapped-zero.test", "nat64-loopback.test")) {
                    String id = integration(service, admin, host, port);
                    JsonNode test = json(service.send("POST", "/api/v1/integrations/" + id + "/test", admin, null));
                    assertEquals("refused", test.path("error").asText(), host + ": " + test);
                    HttpResponse<String> publish = service.send("POST", "/api/v1/integrations/" + id + "/publish", admin,
                            "{\"topic\":\"t\",\"payload\":1}");
                    assertEquals(502, publish.statusCode(), host + ": " + publish.body());
                    assertEquals("broker_refused", json(publish).path("error").asText(), host + ": " + publish.body());
                    assertEquals(200, service.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin,
                            "{\"topics\":[\"t/#\"]}").statusCode());
                    await(host + ": the subscription refused").atMost(Duration.ofSeconds(20))
                            .until(() -> json(service.send("GET", "/api/v1/integrations/" + id, admin, null)).path("subscription")
                                    .path("lastError").asText().equals("refused: the broker refused the connection"));
                }
                try {
                    listener.accept().close();
                    throw new AssertionError("a connection reached the listener on this host");
                } catch (SocketTimeoutException expected) {
                    // nothing connected
                }
            }
        }
    }

    @Test
    void theAllowListOpensALocalBrokerAndConnectionsGoToTheCheckedAddressWithoutASecondLookup() throws Exception {
        TestCertificates certs = TestCertificates.create(work.resolve("certs"), "tls.test");
        try (MosquittoBroker plain = MosquittoBroker.start(work.resolve("plain"), Map.of());
                MosquittoBroker tls = MosquittoBroker.startTls(work.resolve("tls"), certs.cert(), certs.key());
                RuntimeHarness service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of(
                        "mqtt.allowPrivateTargets", "false",
                        "mqtt.allowedTargets", "127.0.0.1:" + plain.port() + ", tls.test:" + tls.port()), DNS)) {
            String admin = service.createOrganization("o").adminKey();
            // The JVM's own resolver knows neither name: a second lookup by name would fail.
            String plainId = integration(service, admin, "broker.test", plain.port());
            String tlsSettings = Json.strict().writeValueAsString(Map.of("protocol", "mqtts", "host", "tls.test", "port", tls.port(),
                    "tls", Map.of("caCertPem", Files.readString(certs.caCert()), "verifyHostname", true)));
            HttpResponse<String> created = service.send("POST", "/api/v1/integrations", admin, "{\"name\":\"t\",\"settings\":"
                    + tlsSettings + "}");
            assertEquals(201, created.statusCode(), created.body());
            String tlsId = json(created).path("id").asText();
            for (String id : List.of(plainId, tlsId)) {
                JsonNode test = json(service.send("POST", "/api/v1/integrations/" + id + "/test", admin, null));
                assertTrue(test.path("ok").asBoolean(), test.toString());
                HttpResponse<String> publish = service.send("POST", "/api/v1/integrations/" + id + "/publish", admin,
                        "{\"topic\":\"t\",\"payload\":1}");
                assertEquals(200, publish.statusCode(), publish.body());
                assertEquals(200, service.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin,
                        "{\"topics\":[\"t/#\"]}").statusCode());
                await("subscribed through the checked address").atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> {
                            JsonNode integration = json(service.send("GET", "/api/v1/integrations/" + id, admin, null));
                            assertEquals("connected", integration.path("subscription").path("state").asText(), integration.toString());
                        });
            }
            String otherPort = integration(service, admin, "broker.test", tls.port());
            assertEquals("refused", json(service.send("POST", "/api/v1/integrations/" + otherPort + "/test", admin, null))
                    .path("error").asText(), "an allowed address on a port the list does not name");
        }
    }
}
