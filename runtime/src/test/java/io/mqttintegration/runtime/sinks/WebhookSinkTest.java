package io.mqttintegration.runtime.sinks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhook sinks against a real HTTP receiver (Vert.x on its own port): what is ingested reaches the
 * receiver once committed, signed, each device's messages in order; a refusing receiver gets the
 * messages again later; a receiver that refuses for good ends in the sink's dead letters, replayed
 * once it takes them again.
 */
class WebhookSinkTest {

    @TempDir
    Path work;
    DataSource db;
    RuntimeHarness service;
    WebhookReceiver receiver;
    Tenancy tenancy;
    UUID org;
    UUID integration;

    @BeforeEach
    void start() throws Exception {
        db = TestDatabase.newDatabase();
        service = RuntimeHarness.start(db, work, Map.of("sinks.pollMillis", "20", "sinks.retryBaseMillis", "50",
                "sinks.retryMaxSeconds", "1", "sinks.concurrency", "4")).withIngestKey();
        receiver = new WebhookReceiver();
        tenancy = new Tenancy(db);
        org = UUID.fromString(service.organizationId);
        integration = UUID.fromString(service.integrationId);
    }

    @AfterEach
    void stop() throws Exception {
        service.close();
        receiver.close();
    }

    /** A webhook sink as the API makes one (its secret sealed); the dispatcher takes it within its lease period's third. */
    private SinkRecord sink(String body, int maxAttempts, String secret) {
        SinkStore store = service.runtime.sinks().store();
        byte[] sealed = service.runtime.sinks().secrets().seal(Map.of(SinkSignatures.SECRET, secret), org);
        SinkRecord s = new SinkRecord(MessageIds.next(), org, integration, "hook", "webhook",
                "{\"url\":\"" + receiver.url("/in") + "\",\"timeoutMillis\":\"5000\"}", sealed, "#", null, body, false, maxAttempts, null, null);
        SinkRecord made = tenancy.inOrg(org, c -> store.insert(c, s));
        service.runtime.sinks().dispatcher().claim();
        return made;
    }

    /** Messages from..from+count-1 ({@code n}), device {@code d<n % devices>}, 100 a request. */
    private void ingest(int from, int count, int devices) throws Exception {
        for (int i = from; i < from + count; i += 100) {
            StringBuilder batch = new StringBuilder("[");
            for (int k = i; k < Math.min(from + count, i + 100); k++) {
                batch.append(k == i ? "" : ",").append("{\"topic\":\"site/devices/d").append(k % devices)
                        .append("/telemetry\",\"payload\":{\"deviceId\":\"d").append(k % devices).append("\",\"n\":").append(k).append("}}");
            }
            assertEquals(202, service.postJson("/api/v1/ingest", batch.append("]").toString()).statusCode());
        }
    }

    private static int n(WebhookReceiver.Request r) throws Exception {
        return Json.strict().readTree(r.body()).path("n").asInt();
    }

    /** Each device's numbers in the order the receiver took them. */
    private static Map<String, List<Integer>> byDevice(List<WebhookReceiver.Request> requests) throws Exception {
        Map<String, List<Integer>> order = new LinkedHashMap<>();
        for (WebhookReceiver.Request r : requests) {
            order.computeIfAbsent(r.header("X-MQI-Device-Id"), d -> new ArrayList<>()).add(n(r));
        }
        return order;
    }

    /**
     * 10,000 messages (100 requests of 100, ten devices) to a CloudEvents webhook: each reaches the
     * receiver as that body, signed, with its headers, each device's in order. At least once allows a
     * second copy (a request that outlasted its timeout and was sent again): they are counted and
     * printed; none may be missing.
     */
    @Test
    void everyCommittedMessageReachesTheReceiverSignedAndInOrderPerDevice() throws Exception {
        int messages = 10_000;
        String secret = SinkSignatures.newSecret();
        SinkRecord sink = sink("cloudevents", 5, secret);
        ingest(0, messages, 10);
        await().atMost(Duration.ofSeconds(90)).until(() -> receiver.accepted().stream().map(r -> r.header("X-MQI-Message-Id"))
                .distinct().count() >= messages);

        List<WebhookReceiver.Request> got = receiver.accepted();
        Map<String, Integer> copies = new HashMap<>();
        Set<Integer> numbers = new HashSet<>();
        Map<String, List<Integer>> firstCopies = new LinkedHashMap<>();
        long now = Instant.now().getEpochSecond();
        for (WebhookReceiver.Request r : got) {
            assertTrue(SinkSignatures.verify(secret, r.header(SinkSignatures.HEADER), r.body(), now, 300),
                    "the signature verifies: " + r.header(SinkSignatures.HEADER));
            assertEquals(sink.id().toString(), r.header("X-MQI-Sink-Id"));
            assertEquals("application/cloudevents+json", r.header("Content-Type"), "the sink's body");
            assertTrue(r.headers().keySet().stream().noneMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("mqi")
                    || h.toLowerCase(Locale.ROOT).startsWith("camel")), "the service's own headers stay home: " + r.headers().keySet());
            JsonNode event = Json.strict().readTree(r.body());
            int n = event.path("data").path("n").asInt();
            String device = "d" + n % 10;
            assertEquals("site/devices/" + device + "/telemetry", r.header("X-MQI-Topic"));
            assertEquals(device, r.header("X-MQI-Device-Id"));
            assertEquals(r.header("X-MQI-Message-Id"), event.path("id").asText(), "the event is the message");
            assertEquals("/integrations/" + integration, event.path("source").asText());
            assertEquals(SinkBodies.CLOUDEVENT_TYPE, event.path("type").asText());
            assertEquals(r.header("X-MQI-Topic"), event.path("subject").asText());
            assertEquals(device, event.path("mqidevice").asText());
            assertEquals(device, event.path("data").path("deviceId").asText(), "the payload as ingested");
            if (copies.merge(r.header("X-MQI-Message-Id"), 1, Integer::sum) == 1) {
                firstCopies.computeIfAbsent(device, d -> new ArrayList<>()).add(n);
            }
            numbers.add(n);
        }
        long twice = copies.values().stream().filter(c -> c > 1).count();
        System.out.printf("webhook sink: %d requests for %d messages, %d distinct, %d received more than once%n", got.size(), messages,
                copies.size(), twice);
        assertEquals(messages, copies.size(), "every message, one message id each");
        assertEquals(IntStream.range(0, messages).boxed().collect(Collectors.toSet()), numbers, "none missing, none made up");
        assertEquals(10, firstCopies.size());
        firstCopies.forEach((device, n) -> assertEquals(n.stream().sorted().toList(), n, device + " in order"));
        await().atMost(Duration.ofSeconds(10)).until(() -> service.runtime.sinks().store().backlog(org, sink.id()).messages() == 0);
        assertTrue(!SinkSignatures.verify("whsec_other", got.get(0).header(SinkSignatures.HEADER), got.get(0).body(), now, 300),
                "another secret does not verify");
    }

    @Test
    void aRefusedDeliveryIsTriedAgainAndEachDeviceStaysInOrder() throws Exception {
        sink("raw", 10, SinkSignatures.newSecret());
        receiver.refuseNext(7);
        ingest(0, 100, 3);
        await().atMost(Duration.ofSeconds(60)).until(() -> receiver.accepted().size() >= 100);
        List<WebhookReceiver.Request> got = receiver.accepted();
        assertEquals(100, got.size());
        assertEquals(7, receiver.refused());
        byDevice(got).forEach((device, numbers) -> assertEquals(numbers.stream().sorted().toList(), numbers, device + " in order"));
        String metrics = service.send("GET", "/metrics", RuntimeHarness.OPERATOR_KEY, null).body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("mqi_sink_failed_total{") && l.endsWith(" 7.0")), metrics);
        assertTrue(metrics.lines().noneMatch(l -> l.startsWith("camel_") && l.contains("routeId=\"sink-")),
                "a sink's route is counted by its mqi_sink_* meters, not Camel's route policy");
    }

    @Test
    void aReceiverThatRefusesForGoodEndsInDeadLettersWhichAreReplayedOnceItRecovers() throws Exception {
        SinkRecord sink = sink("cloudevents", 2, SinkSignatures.newSecret());
        receiver.refusing(true);
        ingest(0, 20, 2);
        SinkStore store = service.runtime.sinks().store();
        await().atMost(Duration.ofSeconds(60)).until(() -> store.deadLetters(org, sink.id(), 100).size() == 20);
        assertEquals(0, store.backlog(org, sink.id()).messages());
        assertTrue(store.deadLetters(org, sink.id(), 1).get(0).reason().contains("500"), store.deadLetters(org, sink.id(), 1).toString());

        receiver.refusing(false);
        assertEquals(20, (int) tenancy.<Integer>inOrg(org, c -> store.replay(c, org, sink.id(), List.of())));
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.accepted().size() >= 20);
        WebhookReceiver.Request first = receiver.accepted().get(0);
        assertEquals("application/cloudevents+json", first.header("Content-Type"));
        var event = Json.strict().readTree(first.body());
        assertEquals("1.0", event.path("specversion").asText());
        assertEquals(SinkBodies.CLOUDEVENT_TYPE, event.path("type").asText());
        assertEquals("/integrations/" + integration, event.path("source").asText());
        assertEquals(first.header("X-MQI-Message-Id"), event.path("id").asText());
        assertTrue(event.path("data").has("n"), new String(first.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aTemplateFileDroppedIntoTheRoutesFolderIsANewKindWithoutARestart() throws Exception {
        // An integrator's own kind: the message as it is, POSTed unsigned, with its topic in a header of its own.
        java.nio.file.Files.writeString(service.routesDir.resolve("sink-relay.camel.yaml"), """
                - routeTemplate:
                    id: sink-relay
                    parameters:
                      - name: sinkId
                      - name: target
                    route:
                      from:
                        uri: "direct:sink-{{sinkId}}"
                        steps:
                          - setHeader:
                              name: X-Relayed-Topic
                              simple: "${header.mqiTopic}"
                          - removeHeaders:
                              pattern: "mqi*"
                          - setHeader:
                              name: CamelHttpMethod
                              constant: POST
                          - to:
                              uri: "vertx-http:{{target}}"
                """);
        await().atMost(Duration.ofSeconds(30)).until(() -> service.runtime.sinks().kinds().kind("relay").isPresent());
        assertEquals(List.of("target"), service.runtime.sinks().kinds().kind("relay").orElseThrow().params().stream()
                .map(SinkKinds.Param::name).toList());
        SinkStore store = service.runtime.sinks().store();
        SinkRecord relay = new SinkRecord(MessageIds.next(), org, integration, "relay", "relay",
                "{\"target\":\"" + receiver.url("/relay") + "\"}", null, "site/+/d1/#", null, "raw", false, 3, null, null);
        tenancy.inOrg(org, c -> store.insert(c, relay));
        service.runtime.sinks().dispatcher().claim();
        ingest(0, 10, 5);
        await().atMost(Duration.ofSeconds(30)).until(() -> receiver.accepted().size() >= 2);
        List<WebhookReceiver.Request> got = receiver.accepted();
        assertEquals(List.of(1, 6), got.stream().map(r -> { try { return n(r); } catch (Exception e) { throw new IllegalStateException(e); } })
                .toList(), "the filter takes device d1's messages only, in order");
        assertEquals("site/devices/d1/telemetry", got.get(0).header("X-Relayed-Topic"));
    }
}
