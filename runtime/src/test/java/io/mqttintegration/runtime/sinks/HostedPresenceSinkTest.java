package io.mqttintegration.runtime.sinks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.broker.BrokerConfig;
import io.mqttintegration.broker.HostedBrokerService;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device presence from end to end, nothing written by the test: a Paho device connects to the real
 * hosted broker, publishes and disconnects; the presence engine records it, a webhook sink made
 * through the API with {@code include: events} forwards its transitions to a real HTTP receiver as
 * CloudEvents, the devices API shows them, and another organization sees none of it.
 */
class HostedPresenceSinkTest {

    @TempDir
    Path work;
    RuntimeHarness service;
    HostedBrokerService hosted;
    WebhookReceiver receiver;
    MqttAsyncClient device;
    BrokerConfig config;

    @BeforeEach
    void start() throws Exception {
        service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of("sinks.pollMillis", "20", "presence.flushMillis", "100",
                "presence.sweepSeconds", "1", "presence.nodeTimeoutSeconds", "5"));
        config = new BrokerConfig(true, "127.0.0.1", RuntimeHarness.freePort(), RuntimeHarness.freePort(), null, null,
                work.resolve("broker"), 500, 2, 1);
        hosted = HostedBrokerService.start(config, service.runtime.hostedParts());
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stop() throws Exception {
        if (device != null) {
            device.close(true);
        }
        if (hosted != null) {
            hosted.close();
        }
        service.close();
        receiver.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    static JsonNode ok(HttpResponse<String> r, int status) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        return json(r);
    }

    /** An integration of the organization with a webhook sink of its events to the receiver's path; its id. */
    String integrationWithEventsSink(RuntimeHarness.Tenant t, String path) throws Exception {
        String integration = ok(service.send("POST", "/api/v1/integrations", t.adminKey(),
                "{\"name\":\"fleet\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}"), 201).path("id").asText();
        JsonNode sink = ok(service.send("POST", "/api/v1/integrations/" + integration + "/sinks", t.adminKey(),
                "{\"name\":\"presence\",\"kind\":\"webhook\",\"include\":\"events\",\"body\":\"cloudevents\",\"settings\":{\"url\":\""
                        + receiver.url(path) + "\"}}"), 201);
        assertEquals("events", sink.path("include").asText());
        return integration;
    }

    /** What reached the receiver, as "state reason" of each CloudEvent's data, in order of arrival. */
    List<String> transitions() throws Exception {
        List<String> got = new ArrayList<>();
        for (WebhookReceiver.Request r : receiver.accepted()) {
            if (SinkTester.TOPIC.equals(r.header("X-MQI-Topic"))) {
                continue;
            }
            JsonNode e = Json.strict().readTree(r.body());
            got.add(e.path("data").path("deviceId").asText() + " " + e.path("data").path("state").asText() + " "
                    + e.path("data").path("reason").asText());
        }
        return got;
    }

    @Test
    void aHostedDevicesConnectAndDisconnectReachItsOrganizationsEventsSinkAndApiAndNoOneElse() throws Exception {
        RuntimeHarness.Tenant acme = service.createOrganization("acme");
        RuntimeHarness.Tenant other = service.createOrganization("other");
        String integration = integrationWithEventsSink(acme, "/acme");
        integrationWithEventsSink(other, "/other");
        JsonNode credential = ok(service.send("POST", "/api/v1/integrations/" + integration + "/credentials", acme.adminKey(), null), 201);
        String username = credential.path("username").asText();

        device = new MqttAsyncClient("tcp://127.0.0.1:" + config.port(), "sensor-1", new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(username);
        o.setPassword(credential.path("password").asText().getBytes(StandardCharsets.UTF_8));
        device.connect(o).waitForCompletion(10_000);
        MqttMessage m = new MqttMessage("{\"t\":21.5}".getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        device.publish("devices/" + username + "/telemetry", m).waitForCompletion(10_000);
        await().atMost(Duration.ofSeconds(20)).until(() -> transitions().contains(username + " online connected"));
        device.disconnect().waitForCompletion(10_000);

        await().atMost(Duration.ofSeconds(30)).until(() -> transitions().contains(username + " offline client_disconnect"));
        assertEquals(List.of(username + " online connected", username + " offline client_disconnect"), transitions(),
                "the two transitions in order, no data (the sink takes events only), nothing of another organization");
        WebhookReceiver.Request first = receiver.accepted().get(0);
        assertEquals("/acme", first.path(), "to the acme sink's URL, not other's");
        JsonNode cloudEvent = Json.strict().readTree(first.body());
        assertEquals("io.mqttintegration.device.presence", cloudEvent.path("type").asText());
        assertEquals(username, cloudEvent.path("subject").asText());
        assertEquals("/integrations/" + integration, cloudEvent.path("source").asText());

        JsonNode page = ok(service.send("GET", "/api/v1/devices?integrationId=" + integration, acme.adminKey(), null), 200);
        assertEquals(1, page.path("items").size(), page.toString());
        JsonNode listed = page.path("items").get(0);
        assertEquals(username, listed.path("deviceId").asText());
        assertEquals("offline", listed.path("state").asText());
        assertEquals("client_disconnect", listed.path("reason").asText());
        assertTrue(!listed.path("lastSeen").isNull(), "last seen from the stored message: " + listed);
        JsonNode one = ok(service.send("GET", "/api/v1/devices/" + listed.path("id").asText(), acme.adminKey(), null), 200);
        List<String> history = new ArrayList<>();
        one.path("transitions").forEach(t -> history.add(t.path("state").asText() + " " + t.path("reason").asText()));
        assertEquals(List.of("offline client_disconnect", "online connected"), history, "newest first");

        // The other organization: no device, no event, and acme's device is not found by its id.
        assertEquals(0, ok(service.send("GET", "/api/v1/devices", other.adminKey(), null), 200).path("items").size());
        assertEquals(404, service.send("GET", "/api/v1/devices?integrationId=" + integration, other.adminKey(), null).statusCode(),
                "acme's integration is not found by another organization");
        assertEquals(404, service.send("GET", "/api/v1/devices/" + listed.path("id").asText(), other.adminKey(), null).statusCode());
        assertTrue(receiver.accepted().stream().noneMatch(r -> "/other".equals(r.path())), "other's sink got nothing");
    }
}
