package io.mqttintegration.runtime.sinks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.MessageCallback;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.sinks.SinkRecord;
import io.mqttintegration.storage.sinks.SinkStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.sql.DataSource;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device presence events through the sinks, with real receivers (a Vert.x HTTP receiver, Mosquitto):
 * the events are written into the outbox as the presence engine writes them ({@link PresenceEvents});
 * a sink forwards data, events or both as its {@code include} says, each device's data and events in
 * one order, each body as the sink chose it, and an event that became a dead letter is listed as one
 * and replayed as it was.
 */
class SinkEventsTest {

    @TempDir
    Path work;
    DataSource db;
    RuntimeHarness service;
    WebhookReceiver receiver;
    Tenancy tenancy;
    UUID org;
    UUID integration;
    PresenceEvents presence;

    @BeforeEach
    void start() throws Exception {
        db = TestDatabase.newDatabase();
        // The events here are written by the test (PresenceEvents), as the contract says: the presence engine
        // would add its own for the devices whose data the test stores (HostedPresenceSinkTest has those).
        service = RuntimeHarness.start(db, work, Map.of("sinks.pollMillis", "20", "sinks.retryBaseMillis", "50",
                "sinks.retryMaxSeconds", "1", "sinks.concurrency", "4", "presence.enabled", "false")).withIngestKey();
        receiver = new WebhookReceiver();
        tenancy = new Tenancy(db);
        org = UUID.fromString(service.organizationId);
        integration = UUID.fromString(service.integrationId);
        presence = new PresenceEvents(tenancy, org, integration);
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
        receiver.close();
    }

    /** A webhook sink to the receiver, as the API makes one; the dispatcher takes it at once. */
    private SinkRecord sink(String name, String body, String include, int maxAttempts, String secret) {
        SinkStore store = service.runtime.sinks().store();
        byte[] sealed = service.runtime.sinks().secrets().seal(Map.of(SinkSignatures.SECRET, secret), org);
        SinkRecord s = new SinkRecord(MessageIds.next(), org, integration, name, "webhook",
                "{\"url\":\"" + receiver.url("/in") + "\",\"timeoutMillis\":\"5000\"}", sealed, "#", null, body, include, false, maxAttempts,
                null, null);
        SinkRecord made = tenancy.inOrg(org, c -> store.insert(c, s));
        service.runtime.sinks().dispatcher().claim();
        return made;
    }

    /** One request: messages {@code n} of the given devices ({@code {"deviceId","n"}} on site/devices/<device>/telemetry). */
    private void ingest(Map<String, Integer> numbers) throws Exception {
        StringBuilder batch = new StringBuilder("[");
        numbers.forEach((device, n) -> batch.append(batch.length() == 1 ? "" : ",").append("{\"topic\":\"site/devices/").append(device)
                .append("/telemetry\",\"payload\":{\"deviceId\":\"").append(device).append("\",\"n\":").append(n).append("}}"));
        assertEquals(202, service.postJson("/api/v1/ingest", batch.append("]").toString()).statusCode());
    }

    private List<WebhookReceiver.Request> of(SinkRecord sink) {
        return receiver.accepted().stream().filter(r -> sink.id().toString().equals(r.header("X-MQI-Sink-Id"))).toList();
    }

    private static long distinct(List<WebhookReceiver.Request> requests) {
        return requests.stream().map(r -> r.header("X-MQI-Message-Id")).distinct().count();
    }

    private static JsonNode json(WebhookReceiver.Request r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    @Test
    void anEventsSinkReceivesEachTransitionSignedAndNoDataWhileADataSinkReceivesNoEvents() throws Exception {
        String secret = SinkSignatures.newSecret();
        SinkRecord events = sink("presence", "raw", "events", 5, secret);
        SinkRecord data = sink("data", "raw", "data", 5, SinkSignatures.newSecret());
        ingest(Map.of("d0", 0, "d1", 1));
        List<PresenceEvents.Written> written = new ArrayList<>();
        written.add(presence.transition("d0", "online", "connected", "node-a", Map.of("clientId", "c0", "remoteAddress", "10.0.0.7:5555")));
        written.add(presence.transition("d1", "online", "message"));
        ingest(Map.of("d0", 2, "d1", 3));
        written.add(presence.transition("d0", "offline", "keep_alive_timeout"));

        SinkStore store = service.runtime.sinks().store();
        await().atMost(Duration.ofSeconds(30)).until(() -> distinct(of(events)) >= 3 && distinct(of(data)) >= 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> store.backlog(org, events.id()).messages() == 0
                && store.backlog(org, data.id()).messages() == 0);

        List<WebhookReceiver.Request> got = of(events);
        assertEquals(3, distinct(got), "the three transitions, and nothing of the four messages: " + got.size() + " requests");
        long now = Instant.now().getEpochSecond();
        Map<String, String> bodies = new LinkedHashMap<>();
        for (WebhookReceiver.Request r : got) {
            JsonNode event = json(r);
            assertEquals("presence", event.path("type").asText(), new String(r.body(), StandardCharsets.UTF_8));
            assertEquals("presence", r.header("X-MQI-Event"), "the header says it is an event");
            assertEquals(event.path("id").asText(), r.header("X-MQI-Message-Id"), "the transition's id");
            assertEquals(event.path("deviceId").asText(), r.header("X-MQI-Device-Id"));
            assertEquals(event.path("deviceId").asText() + "/presence", r.header("X-MQI-Topic"));
            assertEquals(event.path("at").asText(), r.header("X-MQI-Received-At"), "when it happened");
            assertEquals("application/json", r.header("Content-Type"));
            assertTrue(SinkSignatures.verify(secret, r.header(SinkSignatures.HEADER), r.body(), now, 300), "signed like a message");
            bodies.put(r.header("X-MQI-Message-Id"), new String(r.body(), StandardCharsets.UTF_8));
        }
        for (PresenceEvents.Written w : written) {
            assertEquals(Json.strict().readTree(w.eventJson()), Json.strict().readTree(bodies.get(w.id().toString())),
                    "raw: the event as written");
        }
        JsonNode connected = Json.strict().readTree(bodies.get(written.get(0).id().toString()));
        assertEquals("node-a", connected.path("node").asText());
        assertEquals("10.0.0.7:5555", connected.path("details").path("remoteAddress").asText());

        assertEquals(4, distinct(of(data)));
        for (WebhookReceiver.Request r : of(data)) {
            assertNull(r.header("X-MQI-Event"), "a message is not an event");
            assertTrue(json(r).has("n"), "a data sink gets the messages only");
        }
    }

    /**
     * A sink with include both, four devices, ten rounds of one message and one transition each (the
     * transition written after the message's commit), a receiver that refuses some requests: each
     * device's messages and events reach it in the order they were committed.
     */
    @Test
    void aSinkWithBothDeliversEachDevicesDataAndEventsInOneOrderAcrossRetries() throws Exception {
        SinkRecord both = sink("both", "readings", "both", 10, SinkSignatures.newSecret());
        receiver.refuseNext(6);
        Map<String, List<String>> expected = new LinkedHashMap<>();
        int n = 0;
        for (int round = 0; round < 10; round++) {
            Map<String, Integer> numbers = new LinkedHashMap<>();
            for (int d = 0; d < 4; d++) {
                numbers.put("d" + d, n);
                expected.computeIfAbsent("d" + d, x -> new ArrayList<>()).add("m" + n++);
            }
            ingest(numbers);
            for (int d = 0; d < 4; d++) {
                String state = round % 2 == 0 ? "offline" : "online";
                PresenceEvents.Written w = presence.transition("d" + d, state, round % 2 == 0 ? "inactivity" : "message");
                expected.get("d" + d).add(state + ":" + w.id());
            }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> distinct(of(both)) >= 80);

        Map<String, List<String>> order = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (WebhookReceiver.Request r : of(both)) {
            if (!seen.add(r.header("X-MQI-Message-Id"))) {
                continue; // a second copy (at least once)
            }
            JsonNode body = json(r);
            String item = "presence".equals(r.header("X-MQI-Event")) ? body.path("state").asText() + ":" + body.path("id").asText()
                    : "m" + body.path("readings").get(0).path("metrics").path("n").asInt();
            order.computeIfAbsent(r.header("X-MQI-Device-Id"), d -> new ArrayList<>()).add(item);
        }
        assertEquals(6, receiver.refused(), "the receiver refused some: they were retried");
        assertEquals(expected, order, "each device's messages and events in the order they were committed");
    }

    @Test
    void anEventAsACloudEventCarriesTheTransitionFieldByField() throws Exception {
        String secret = SinkSignatures.newSecret();
        SinkRecord sink = sink("cloud", "cloudevents", "events", 5, secret);
        PresenceEvents.Written w = presence.transition("sensor-17", "offline", "taken_over", "node-b", Map.of("previousNode", "node-a"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !of(sink).isEmpty());

        WebhookReceiver.Request r = of(sink).get(0);
        System.out.println("a presence event as a CloudEvent, as the webhook receiver got it: " + r.headers() + " "
                + new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("application/cloudevents+json", r.header("Content-Type"));
        assertTrue(SinkSignatures.verify(secret, r.header(SinkSignatures.HEADER), r.body(), Instant.now().getEpochSecond(), 300));
        JsonNode written = Json.strict().readTree(w.eventJson());
        JsonNode e = json(r);
        assertEquals("1.0", e.path("specversion").asText());
        assertEquals(w.id().toString(), e.path("id").asText(), "the transition's id");
        assertEquals("/integrations/" + integration, e.path("source").asText(), "as a message's source");
        assertEquals(SinkBodies.PRESENCE_TYPE, e.path("type").asText());
        assertEquals("io.mqttintegration.device.presence", e.path("type").asText());
        assertEquals("sensor-17", e.path("subject").asText(), "the device");
        assertEquals(written.path("at").asText(), e.path("time").asText(), "when it happened");
        assertEquals("sensor-17", e.path("mqidevice").asText());
        assertEquals("application/json", e.path("datacontenttype").asText());
        assertEquals(written, e.path("data"), "the event as data");
        assertEquals("node-a", e.path("data").path("details").path("previousNode").asText());
        assertFalse(e.has("data_base64"));
        assertEquals(w.id().toString(), r.header("X-MQI-Message-Id"));
    }

    @Test
    void anEventThatBecameADeadLetterIsListedAsAnEventAndReplayedAsItWas() throws Exception {
        SinkRecord sink = sink("refused", "raw", "both", 2, SinkSignatures.newSecret());
        receiver.refusing(true);
        ingest(Map.of("d0", 0));
        PresenceEvents.Written w = presence.transition("d0", "offline", "client_disconnect");
        SinkStore store = service.runtime.sinks().store();
        await().atMost(Duration.ofSeconds(30)).until(() -> store.deadLetters(org, sink.id(), 10).size() == 2);

        String path = "/api/v1/integrations/" + integration + "/sinks/" + sink.id() + "/dead-letters";
        var listed = service.send("GET", path, service.adminKey, null);
        assertEquals(200, listed.statusCode(), listed.body());
        System.out.println("GET .../dead-letters: " + listed.body());
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        Json.strict().readTree(listed.body()).path("items").forEach(item -> byId.put(item.path("messageId").asText(), item));
        assertEquals(2, byId.size(), listed.body());
        JsonNode dead = byId.get(w.id().toString());
        assertEquals(Json.strict().readTree(w.eventJson()), dead.path("event"), "the event's dead letter shows the event: " + listed.body());
        assertEquals("d0", dead.path("deviceId").asText());
        byId.values().stream().filter(item -> item != dead).forEach(item -> assertTrue(item.path("event").isNull(),
                "a message's dead letter has no event: " + item));

        receiver.refusing(false);
        var replayed = service.send("POST", path + "/replay", service.adminKey, "{}");
        assertEquals("{\"replayed\":2}", replayed.body());
        await().atMost(Duration.ofSeconds(30)).until(() -> distinct(of(sink)) >= 2);
        WebhookReceiver.Request event = of(sink).stream().filter(r -> w.id().toString().equals(r.header("X-MQI-Message-Id")))
                .findFirst().orElseThrow();
        assertEquals("presence", event.header("X-MQI-Event"));
        assertEquals(Json.strict().readTree(w.eventJson()), json(event), "replayed as it was written");
    }

    /**
     * An MQTT sink with include both and topic {@code forwarded/${header.mqiTopic}}: the device's data
     * on {@code forwarded/<its topic>}, its event on {@code forwarded/<device>/presence}, with the
     * transition's id as {@code mqi-message-id}.
     */
    @Test
    void anMqttSinkPublishesAnEventOnItsDevicesPresenceTopic() throws Exception {
        MosquittoBroker broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of());
        MqttAsyncClient subscriber = new MqttAsyncClient("tcp://127.0.0.1:" + broker.port(), "sink-events-subscriber",
                new MemoryPersistence());
        try {
            Queue<String[]> arrived = new ConcurrentLinkedQueue<>();
            subscriber.setCallback((MessageCallback) (topic, message) -> arrived.add(new String[] {topic,
                    new String(message.getPayload(), StandardCharsets.UTF_8), messageId(message)}));
            subscriber.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
            subscriber.subscribe("forwarded/#", 1).waitForCompletion(10_000);
            String target = Json.strict().readTree(service.send("POST", "/api/v1/integrations", service.adminKey,
                    "{\"name\":\"downstream\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + broker.port() + "}}").body()).path("id").asText();
            SinkRecord sink = new SinkRecord(MessageIds.next(), org, integration, "republish", "mqtt",
                    "{\"integrationId\":\"" + target + "\",\"topic\":\"forwarded/${header.mqiTopic}\"}", null, "#", null, "raw", "both", false,
                    10, null, null);
            tenancy.inOrg(org, c -> service.runtime.sinks().store().insert(c, sink));
            service.runtime.sinks().dispatcher().claim();

            ingest(Map.of("sensor-17", 1));
            PresenceEvents.Written w = presence.transition("sensor-17", "online", "connected");
            await().atMost(Duration.ofSeconds(30)).until(() -> arrived.size() >= 2);

            List<String[]> got = new ArrayList<>(arrived);
            got.forEach(a -> System.out.println("the MQTT subscriber got: " + a[0] + " " + a[1] + "  [mqi-message-id: " + a[2] + "]"));
            assertEquals("forwarded/site/devices/sensor-17/telemetry", got.get(0)[0], "the message first, on its topic");
            assertEquals("forwarded/sensor-17/presence", got.get(1)[0], "then the event, on the device's presence topic");
            assertEquals(Json.strict().readTree(w.eventJson()), Json.strict().readTree(got.get(1)[1]), "the event as written");
            assertEquals(w.id().toString(), got.get(1)[2], "mqi-message-id: the transition's id");
        } finally {
            subscriber.disconnectForcibly(0, 1000, false);
            subscriber.close(true);
            broker.close();
        }
    }

    private static String messageId(MqttMessage message) {
        return message.getProperties().getUserProperties().stream().filter(p -> p.getKey().equals("mqi-message-id"))
                .map(UserProperty::getValue).findFirst().orElse(null);
    }
}
