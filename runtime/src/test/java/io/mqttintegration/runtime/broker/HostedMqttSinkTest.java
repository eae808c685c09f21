package io.mqttintegration.runtime.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.broker.HostedBroker;
import io.mqttintegration.broker.HostedBrokerService;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MQTT sinks with {@code hosted: true}: what an integration stores goes down, through the real
 * hosted broker (in the test JVM, with the service and PostgreSQL), to the integration's own hosted
 * devices, under the rule of the API's publish with {@code "hosted": true} (HostedCommandsTest): the
 * namespace of a live device credential of the integration, checked when the sink is made and for
 * every message. A device subscribed with Paho v5 receives every forwarded message, each device's in
 * order; nothing forwarded is stored again as if a device had sent it.
 */
class HostedMqttSinkTest extends HostedBrokerCase {

    /** A device credential of the test's integration. */
    record Device(String id, String username, String password) {
    }

    @Override
    Map<String, String> settings() {
        return Map.of("sinks.pollMillis", "20", "sinks.retryBaseMillis", "100", "sinks.retryMaxSeconds", "1");
    }

    @BeforeEach
    void tenant() throws Exception {
        service.withIngestKey();
    }

    Device device(String integrationId) throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations/" + integrationId + "/credentials", service.adminKey, null);
        assertEquals(201, r.statusCode(), r.body());
        JsonNode c = json(r);
        return new Device(c.path("id").asText(), c.path("username").asText(), c.path("password").asText());
    }

    HttpResponse<String> createSink(String integrationId, String key, String body) throws Exception {
        return service.send("POST", "/api/v1/integrations/" + integrationId + "/sinks", key, body);
    }

    String hostedSink(String name, String topic, int maxAttempts) throws Exception {
        HttpResponse<String> r = createSink(service.integrationId, service.adminKey, "{\"name\":\"" + name + "\",\"kind\":\"mqtt\","
                + "\"settings\":{\"hosted\":true,\"topic\":\"" + topic + "\"},\"maxAttempts\":" + maxAttempts + "}");
        assertEquals(201, r.statusCode(), r.body());
        JsonNode sink = json(r);
        assertTrue(sink.path("settings").path("hosted").asBoolean(), r.body());
        return sink.path("id").asText();
    }

    /** The device connected, subscribed to {@code filter} at QoS 1, what arrives going into {@code arrived}. */
    MqttAsyncClient subscribed(Device d, String filter, BlockingQueue<HostedCommandsTest.Arrived> arrived) throws MqttException {
        return HostedCommandsTest.subscribed(config.port(), d.username(), d.password(), filter, arrived, clients);
    }

    /** Messages {@code from} to {@code from + count - 1}, over HTTP in requests of 100, the device of each {@code n} one of {@code devices}. */
    void ingest(int from, int count, List<String> devices) throws Exception {
        for (int start = from; start < from + count; start += 100) {
            StringBuilder batch = new StringBuilder("[");
            for (int k = start; k < Math.min(start + 100, from + count); k++) {
                String device = devices.get(k % devices.size());
                batch.append(k == start ? "" : ",").append("{\"topic\":\"site/devices/").append(device)
                        .append("/telemetry\",\"payload\":{\"deviceId\":\"").append(device).append("\",\"n\":").append(k).append("}}");
            }
            HttpResponse<String> r = service.postJson("/api/v1/ingest", batch.append("]").toString());
            assertEquals(202, r.statusCode(), r.body());
        }
    }

    long backlog(String sinkId) {
        return service.runtime.sinks().store().backlog(UUID.fromString(service.organizationId), UUID.fromString(sinkId)).messages();
    }

    static String messageId(HostedCommandsTest.Arrived a) {
        return a.message().getProperties().getUserProperties().stream().filter(p -> p.getKey().equals("mqi-message-id"))
                .map(UserProperty::getValue).findFirst().orElse(null);
    }

    @Test
    void aDeviceSubscribedOnTheHostedBrokerReceivesEveryForwardedMessageEachDevicesInOrder() throws Exception {
        Device gateway = device(service.integrationId);
        BlockingQueue<HostedCommandsTest.Arrived> arrived = new LinkedBlockingQueue<>();
        subscribed(gateway, "devices/" + gateway.username() + "/in/#", arrived);
        String sink = hostedSink("down to the gateway", "devices/" + gateway.username() + "/in/${header.mqiDeviceId}", 10);

        int total = 300;
        ingest(0, total, List.of("d0", "d1", "d2", "d3"));
        List<HostedCommandsTest.Arrived> got = new ArrayList<>();
        while (got.size() < total) {
            HostedCommandsTest.Arrived a = arrived.poll(60, TimeUnit.SECONDS);
            assertTrue(a != null, "forwarded " + got.size() + " of " + total + " within the wait; backlog " + backlog(sink));
            got.add(a);
        }
        Map<String, List<Integer>> byDevice = new LinkedHashMap<>();
        Set<String> ids = new HashSet<>();
        for (HostedCommandsTest.Arrived a : got) {
            assertTrue(a.topic().matches("devices/" + gateway.username() + "/in/d[0-3]"), a.topic());
            assertEquals(1, a.message().getQos());
            assertEquals("application/json", a.message().getProperties().getContentType());
            JsonNode payload = Json.strict().readTree(a.text());
            assertEquals(a.topic().substring(a.topic().lastIndexOf('/') + 1), payload.path("deviceId").asText(), a.text());
            byDevice.computeIfAbsent(payload.path("deviceId").asText(), k -> new ArrayList<>()).add(payload.path("n").asInt());
            ids.add(messageId(a));
        }
        System.out.println("Hosted MQTT sink: " + got.size() + " arrived for " + total + " messages, " + ids.size() + " distinct");
        assertEquals(total, ids.size(), "each stored message once, known by its mqi-message-id");
        byDevice.forEach((device, n) -> assertEquals(n.stream().sorted().toList(), n, device + " in order"));
        assertEquals(4, byDevice.size());
        await().atMost(Duration.ofSeconds(10)).until(() -> backlog(sink) == 0);
        assertNull(arrived.poll(1, TimeUnit.SECONDS), "nothing more");

        // What the service published to the device is never stored as if the device had sent it.
        await().atMost(Duration.ofSeconds(10)).until(() ->
                hosted.broker().server().locateQueue(HostedBroker.INGEST_QUEUE).getMessageCount() == 0);
        assertEquals(total, Rows.count(db, "SELECT count(*) FROM mqtt_messages"), "only the ingested messages are stored");

        // The sink's test sends through the hosted broker too.
        HttpResponse<String> tested = service.send("POST", "/api/v1/integrations/" + service.integrationId + "/sinks/" + sink + "/test",
                service.adminKey, null);
        assertEquals("{\"ok\":true}", tested.body().replaceAll(",\"latencyMs\":\\d+", ""), tested.body());
    }

    @Test
    void aTopicOutsideTheIntegrationsLiveDevicesIsADeadLetterAndARevokedDevicesNamespaceIsClosed() throws Exception {
        Device gateway = device(service.integrationId);
        BlockingQueue<HostedCommandsTest.Arrived> arrived = new LinkedBlockingQueue<>();
        subscribed(gateway, "devices/" + gateway.username() + "/#", arrived);
        // The username comes from each message: checked at each delivery.
        String sink = hostedSink("per device", "devices/${header.mqiDeviceId}/in", 1);

        ingest(0, 2, List.of(gateway.username(), "stranger"));
        HostedCommandsTest.Arrived a = arrived.poll(30, TimeUnit.SECONDS);
        assertTrue(a != null, "the gateway's own message went down to it");
        assertEquals("devices/" + gateway.username() + "/in", a.topic());
        String deadLetters = "/api/v1/integrations/" + service.integrationId + "/sinks/" + sink + "/dead-letters";
        await().atMost(Duration.ofSeconds(20)).until(() -> json(service.send("GET", deadLetters, service.adminKey, null))
                .path("items").size() == 1);
        JsonNode dead = json(service.send("GET", deadLetters, service.adminKey, null)).path("items").get(0);
        assertEquals("stranger", dead.path("deviceId").asText());
        assertTrue(dead.path("reason").asText().contains("topic devices/stranger/in is not devices/<username>/... of a live device"),
                dead.toString());

        assertEquals(204, service.send("DELETE", "/api/v1/integrations/" + service.integrationId + "/credentials/" + gateway.id(),
                service.adminKey, null).statusCode());
        ingest(2, 1, List.of(gateway.username()));
        await().atMost(Duration.ofSeconds(20)).until(() -> json(service.send("GET", deadLetters, service.adminKey, null))
                .path("items").size() == 2);
        assertEquals(gateway.username(), json(service.send("GET", deadLetters, service.adminKey, null)).path("items").get(0)
                .path("deviceId").asText(), "a revoked device gets nothing more");
        assertEquals(0, backlog(sink));
    }

    @Test
    void whileTheHostedBrokerIsDownMessagesWaitInTheOutboxAndGoDownOnceItRunsAgain() throws Exception {
        Device gateway = device(service.integrationId);
        String sink = hostedSink("waits", "devices/" + gateway.username() + "/in", 1000);
        String at = "/api/v1/integrations/" + service.integrationId + "/sinks/" + sink;
        hosted.close();
        hosted = null;

        ingest(0, 3, List.of("d0"));
        await().atMost(Duration.ofSeconds(20)).until(() -> Rows.count(db,
                "SELECT count(*) FROM sink_outbox WHERE last_error LIKE 'the hosted MQTT broker is not running on this node%'") >= 1);
        assertEquals(3, backlog(sink), "retried, not lost");
        // Paused while the device comes back, so that nothing goes down before it subscribed again.
        assertEquals(200, service.send("POST", at + "/pause", service.adminKey, null).statusCode());
        hosted = HostedBrokerService.start(config, service.runtime.hostedParts());
        BlockingQueue<HostedCommandsTest.Arrived> arrived = new LinkedBlockingQueue<>();
        subscribed(gateway, "devices/" + gateway.username() + "/in", arrived);
        assertEquals(200, service.send("POST", at + "/resume", service.adminKey, null).statusCode());
        List<Integer> n = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HostedCommandsTest.Arrived a = arrived.poll(30, TimeUnit.SECONDS);
            assertTrue(a != null, "message " + i + " went down once the broker ran again");
            n.add(Json.strict().readTree(a.text()).path("n").asInt());
        }
        assertEquals(List.of(0, 1, 2), n, "in order");
        await().atMost(Duration.ofSeconds(10)).until(() -> backlog(sink) == 0);
    }

    @Test
    void theApiTakesExactlyOneTargetAndAHostedTopicOnlyInsideTheIntegrationsLiveDevices() throws Exception {
        Device gateway = device(service.integrationId);
        String own = "{\"name\":\"n\",\"kind\":\"mqtt\",\"settings\":";
        refused(400, "invalid_field", "settings.hosted", own + "{\"hosted\":true,\"integrationId\":\"" + service.integrationId + "\"}}");
        refused(400, "missing_field", "settings.integrationId", own + "{\"topic\":\"x\"}}");
        refused(400, "missing_field", "settings.integrationId", own + "{\"hosted\":false}}");
        refused(400, "invalid_field", "settings.hosted", own + "{\"hosted\":\"yes\"}}");
        refused(400, "invalid_field", "settings.integrationId", own + "{\"integrationId\":\"line 1\"}}");
        RuntimeHarness.Tenant other = service.createOrganization("other");
        String otherIntegration = json(service.send("POST", "/api/v1/integrations", other.adminKey(),
                "{\"name\":\"theirs\",\"settings\":{\"host\":\"broker.example\"}}")).path("id").asText();
        refused(400, "invalid_field", "settings.integrationId", own + "{\"integrationId\":\"" + otherIntegration + "\"}}");

        // Outside the namespaces of the integration's live devices: another organization's device, a
        // device of another integration of the organization, no device at all, a wildcard.
        String theirs = service.send("POST", "/api/v1/integrations/" + otherIntegration + "/credentials", other.adminKey(), null).body();
        String theirUsername = Json.strict().readTree(theirs).path("username").asText();
        String sibling = json(service.send("POST", "/api/v1/integrations", service.adminKey,
                "{\"name\":\"sibling\",\"settings\":{\"host\":\"broker.example\"}}")).path("id").asText();
        Device siblings = device(sibling);
        for (String topic : List.of("devices/" + theirUsername + "/in", "devices/" + siblings.username() + "/in", "elsewhere/in",
                "devices/dev-0000000000000000/in", "devices/" + theirUsername + "/in/${header.mqiDeviceId}", "out/${header.mqiTopic}")) {
            refused(403, "topic_not_allowed", "settings.topic", own + "{\"hosted\":true,\"topic\":\"" + topic + "\"}}");
        }
        refused(400, "invalid_topic", "settings.topic", own + "{\"hosted\":true,\"topic\":\"devices/" + gateway.username() + "/#\"}}");
        // A username from the message needs a live device of the integration at least.
        String noDevices = json(service.send("POST", "/api/v1/integrations", service.adminKey,
                "{\"name\":\"bare\",\"settings\":{\"host\":\"broker.example\"}}")).path("id").asText();
        HttpResponse<String> bare = createSink(noDevices, service.adminKey, own + "{\"hosted\":true}}");
        assertEquals(403, bare.statusCode(), bare.body());
        assertTrue(bare.body().contains("(the integration has none)"), bare.body());

        String literal = hostedSink("literal", "devices/" + gateway.username() + "/config", 10);
        hostedSink("per device", "devices/${header.mqiDeviceId}/in", 10);
        hostedSink("as arrived", "${header.mqiTopic}", 10);
        HttpResponse<String> both = service.send("PATCH", "/api/v1/integrations/" + service.integrationId + "/sinks/" + literal,
                service.adminKey, "{\"settings\":{\"integrationId\":\"" + sibling + "\"}}");
        assertEquals(400, both.statusCode(), both.body());
        assertEquals("settings.hosted", json(both).path("field").asText());
        HttpResponse<String> moved = service.send("PATCH", "/api/v1/integrations/" + service.integrationId + "/sinks/" + literal,
                service.adminKey, "{\"settings\":{\"integrationId\":\"" + sibling + "\",\"hosted\":null,\"topic\":null}}");
        assertEquals(200, moved.statusCode(), "from the hosted broker to an integration's: " + moved.body());
        assertFalse(json(moved).path("settings").has("hosted"), moved.body());

        hosted.close();
        hosted = null;
        HttpResponse<String> down = createSink(service.integrationId, service.adminKey,
                own + "{\"hosted\":true,\"topic\":\"devices/" + gateway.username() + "/x\"}}");
        assertEquals(503, down.statusCode(), down.body());
        assertEquals("hosted_broker_unavailable", json(down).path("error").asText(), down.body());
        assertEquals("settings.hosted", json(down).path("field").asText(), down.body());
    }

    void refused(int status, String error, String field, String body) throws Exception {
        HttpResponse<String> r = createSink(service.integrationId, service.adminKey, body);
        assertEquals(status, r.statusCode(), body + ": " + r.body());
        JsonNode e = json(r);
        assertEquals(error, e.path("error").asText(), r.body());
        assertEquals(field, e.path("field").asText(), r.body());
        assertFalse(r.body().contains("Exception"), r.body());
    }
}
