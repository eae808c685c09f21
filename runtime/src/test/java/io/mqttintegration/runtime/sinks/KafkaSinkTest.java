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
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka sinks against a real Kafka broker (KRaft, its own JVM): what is ingested becomes records of
 * the sink's topic, keyed by device, each device's in order, with the message id in a header; a
 * broker that restarts gets every message (at least once: the few whose acknowledgement it lost, twice).
 */
class KafkaSinkTest {

    @TempDir
    Path work;

    @Test
    void everyCommittedMessageBecomesARecordKeyedByItsDeviceEvenAcrossABrokerRestart() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        try (KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"));
                RuntimeHarness service = RuntimeHarness.start(db, work, Map.of("sinks.pollMillis", "20", "sinks.retryBaseMillis", "200",
                        "sinks.retryMaxSeconds", "2")).withIngestKey()) {
            kafka.createTopic("telemetry", 3);
            UUID org = UUID.fromString(service.organizationId);
            SinkStore store = service.runtime.sinks().store();
            SinkRecord sink = new SinkRecord(MessageIds.next(), org, UUID.fromString(service.integrationId), "to-kafka", "kafka",
                    "{\"brokers\":\"" + kafka.bootstrapServers() + "\",\"topic\":\"telemetry\",\"timeoutMillis\":\"10000\"}", null, "#", null,
                    "readings", false, 100, null, null);
            new Tenancy(db).inOrg(org, c -> store.insert(c, sink));
            service.runtime.sinks().dispatcher().claim();

            ingest(service, 0, 150);
            kafka.restart(); // the broker goes away for a while in the middle: the sink retries
            ingest(service, 150, 150);

            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            Properties p = new Properties();
            p.put("bootstrap.servers", kafka.bootstrapServers());
            p.put("group.id", "test");
            p.put("auto.offset.reset", "earliest");
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("telemetry"));
                await().atMost(Duration.ofSeconds(120)).until(() -> {
                    consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                    return records.size() >= 300;
                });
            }
            Map<String, List<Integer>> byDevice = new LinkedHashMap<>();
            Set<String> ids = new HashSet<>();
            for (ConsumerRecord<String, byte[]> r : records) {
                var body = Json.strict().readTree(r.value());
                assertEquals(r.key(), body.path("deviceId").asText(), "keyed by device");
                byDevice.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(body.path("readings").get(0).path("metrics").path("n").asInt());
                ids.add(new String(r.headers().lastHeader("mqi-message-id").value(), StandardCharsets.UTF_8));
                java.time.Instant.parse(new String(r.headers().lastHeader("mqi-received-at").value(), StandardCharsets.UTF_8));
            }
            // At least once: a send whose acknowledgement the restart lost is sent again by the sink (a new
            // record: the producer's idempotence covers only its own retries), so a few may arrive twice.
            System.out.printf("kafka sink across a broker restart: %d records for 300 messages, %d distinct, %d twice%n", records.size(),
                    ids.size(), records.size() - ids.size());
            assertEquals(300, ids.size(), "every message");
            // Each device's messages in order: a message sent again comes right after its first copy, before the device's next.
            byDevice.forEach((device, n) -> {
                List<Integer> firsts = n.stream().distinct().toList();
                assertEquals(firsts.stream().sorted().toList(), firsts, device + " in order: " + n);
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> store.backlog(org, sink.id()).messages() == 0);
        }
    }

    private static void ingest(RuntimeHarness service, int from, int count) throws Exception {
        StringBuilder batch = new StringBuilder("[");
        for (int k = from; k < from + count; k++) {
            batch.append(k == from ? "" : ",").append("{\"topic\":\"site/devices/d").append(k % 6)
                    .append("/telemetry\",\"payload\":{\"deviceId\":\"d").append(k % 6).append("\",\"n\":").append(k).append("}}");
        }
        assertEquals(202, service.postJson("/api/v1/ingest", batch.append("]").toString()).statusCode());
    }
}
