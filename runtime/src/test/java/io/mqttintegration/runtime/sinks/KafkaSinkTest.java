package io.mqttintegration.runtime.sinks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.devdb.KafkaBroker;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka sinks against a real Kafka broker (KRaft, its own JVM): what is ingested becomes records of
 * the sink's topic, keyed by device, each device's in order, with the message id in a header; a
 * broker that restarts gets every message (at least once: the few whose acknowledgement it lost, twice).
 * One broker serves the class (each test its own topic, database and service); the test that restarts
 * it leaves it running.
 */
class KafkaSinkTest {

    @TempDir
    static Path kafkaDir;
    static KafkaBroker kafka;

    @TempDir
    Path work;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaBroker.start(kafkaDir.resolve("kafka"));
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    static final int MESSAGES = 10_000;
    static final int DEVICES = 6;

    /**
     * 10,000 messages (100 a request, six devices), the broker restarted halfway: each becomes a record
     * of the sink's topic keyed by its device, its value the readings body, with the headers the
     * template sets. A send whose acknowledgement the restart lost is sent again by the sink (a new
     * record: the producer's idempotence covers only its own retries): second copies are counted and
     * printed; none may be missing.
     */
    @Test
    void everyCommittedMessageBecomesARecordKeyedByItsDeviceEvenAcrossABrokerRestart() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of("sinks.pollMillis", "20", "sinks.retryBaseMillis", "200",
                        "sinks.retryMaxSeconds", "2")).withIngestKey()) {
            kafka.createTopic("telemetry", 3);
            UUID org = UUID.fromString(service.organizationId);
            SinkStore store = service.runtime.sinks().store();
            SinkRecord sink = new SinkRecord(MessageIds.next(), org, UUID.fromString(service.integrationId), "to-kafka", "kafka",
                    "{\"brokers\":\"" + kafka.bootstrapServers() + "\",\"topic\":\"telemetry\",\"timeoutMillis\":\"10000\"}", null, "#", null,
                    "readings", false, 100, null, null);
            new Tenancy(db).inOrg(org, c -> store.insert(c, sink));
            service.runtime.sinks().dispatcher().claim();

            ingest(service, 0, MESSAGES / 2);
            kafka.restart(); // the broker goes away for a while in the middle: the sink retries
            ingest(service, MESSAGES / 2, MESSAGES / 2);

            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            Set<String> ids = new HashSet<>();
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            p.put("group.id", "test");
            p.put("auto.offset.reset", "earliest");
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("telemetry"));
                await().atMost(Duration.ofSeconds(100)).until(() -> {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        records.add(r);
                        ids.add(header(r, "mqi-message-id"));
                    }
                    return ids.size() >= MESSAGES;
                });
            }
            Map<String, List<Integer>> byDevice = new LinkedHashMap<>();
            Set<Integer> numbers = new HashSet<>();
            for (ConsumerRecord<String, byte[]> r : records) {
                var body = Json.strict().readTree(r.value());
                int n = body.path("readings").get(0).path("metrics").path("n").asInt();
                String device = "d" + n % DEVICES;
                assertEquals(device, r.key(), "keyed by device");
                assertEquals(device, body.path("deviceId").asText(), "the readings body");
                assertEquals(header(r, "mqi-message-id"), body.path("messageId").asText());
                assertEquals("site/devices/" + device + "/telemetry", header(r, "mqi-topic"));
                assertEquals(device, header(r, "mqi-device-id"));
                assertEquals("application/json", header(r, "content-type"), "headers " + headerNames(r));
                java.time.Instant.parse(header(r, "mqi-received-at"));
                assertEquals(Set.of("content-type", "mqi-message-id", "mqi-topic", "mqi-device-id", "mqi-received-at"), headerNames(r),
                        "the headers docs/sinks.md lists, and none of the exchange's own");
                byDevice.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(n);
                numbers.add(n);
            }
            // At least once: a send whose acknowledgement the restart lost is sent again by the sink, so a few may arrive twice.
            System.out.printf("kafka sink across a broker restart: %d records for %d messages, %d distinct, %d twice%n", records.size(),
                    MESSAGES, ids.size(), records.size() - ids.size());
            assertEquals(MESSAGES, ids.size(), "every message, one message id each");
            assertEquals(IntStream.range(0, MESSAGES).boxed().collect(Collectors.toSet()), numbers, "none missing, none made up");
            assertEquals(DEVICES, byDevice.size());
            // Each device's messages in order: a message sent again comes right after its first copy, before the device's next.
            byDevice.forEach((device, n) -> {
                List<Integer> firsts = n.stream().distinct().toList();
                assertEquals(firsts.stream().sorted().toList(), firsts, device + " in order: " + n);
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> store.backlog(org, sink.id()).messages() == 0);
        }
    }

    /**
     * A sink with include events: a device's presence event becomes a record keyed by its device (the
     * partition of its messages), its value the event, with the header mqi-event beside the others.
     */
    @Test
    void aPresenceEventBecomesARecordKeyedByItsDeviceAndMarkedAsAnEvent() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        // The event is the test's own (PresenceEvents): presence off, or its engine would add the
        // devices' "online, message" events for the data ingested here.
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of("sinks.pollMillis", "20", "presence.enabled", "false"))
                        .withIngestKey()) {
            kafka.createTopic("presence", 3);
            UUID org = UUID.fromString(service.organizationId);
            UUID integration = UUID.fromString(service.integrationId);
            SinkRecord sink = new SinkRecord(MessageIds.next(), org, integration, "presence-to-kafka", "kafka",
                    "{\"brokers\":\"" + kafka.bootstrapServers() + "\",\"topic\":\"presence\",\"timeoutMillis\":\"10000\"}", null, "#", null,
                    "raw", "events", false, 100, null, null);
            new Tenancy(db).inOrg(org, c -> service.runtime.sinks().store().insert(c, sink));
            service.runtime.sinks().dispatcher().claim();
            ingest(service, 0, 6); // data: not this sink's
            PresenceEvents.Written w = new PresenceEvents(new Tenancy(db), org, integration).transition("d4", "offline", "node_lost");

            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            p.put("group.id", "test");
            p.put("auto.offset.reset", "earliest");
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("presence"));
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                    return !records.isEmpty() && service.runtime.sinks().store().backlog(org, sink.id()).messages() == 0;
                });
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            assertEquals(1, records.size(), "the event, and none of the messages");
            ConsumerRecord<String, byte[]> r = records.get(0);
            assertEquals("d4", r.key(), "keyed by its device");
            assertEquals(Json.strict().readTree(w.eventJson()), Json.strict().readTree(r.value()), "the event as written");
            assertEquals("presence", header(r, "mqi-event"));
            assertEquals(w.id().toString(), header(r, "mqi-message-id"), "the transition's id");
            assertEquals("d4", header(r, "mqi-device-id"));
            assertEquals("d4/presence", header(r, "mqi-topic"));
            assertEquals("application/json", header(r, "content-type"));
            assertEquals(Set.of("content-type", "mqi-message-id", "mqi-topic", "mqi-device-id", "mqi-received-at", "mqi-event"),
                    headerNames(r));
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Set<String> headerNames(ConsumerRecord<String, byte[]> r) {
        Set<String> names = new HashSet<>();
        r.headers().forEach(h -> names.add(h.key()));
        return names;
    }

    /** Messages from..from+count-1 ({@code n}), device {@code d<n % DEVICES>}, 100 a request. */
    private static void ingest(RuntimeHarness service, int from, int count) throws Exception {
        for (int i = from; i < from + count; i += 100) {
            StringBuilder batch = new StringBuilder("[");
            for (int k = i; k < Math.min(from + count, i + 100); k++) {
                batch.append(k == i ? "" : ",").append("{\"topic\":\"site/devices/d").append(k % DEVICES)
                        .append("/telemetry\",\"payload\":{\"deviceId\":\"d").append(k % DEVICES).append("\",\"n\":").append(k).append("}}");
            }
            assertEquals(202, service.postJson("/api/v1/ingest", batch.append("]").toString()).statusCode());
        }
    }
}
