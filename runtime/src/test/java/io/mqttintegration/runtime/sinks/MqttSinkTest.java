package io.mqttintegration.runtime.sinks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.MosquittoBroker;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MQTT sinks against a real Mosquitto: what is ingested is republished, QoS 1, to the broker of
 * another integration of the organization, on the topic the sink's template makes, each device's
 * messages in order; a broker that is down gets them once it is back.
 */
class MqttSinkTest {

    @TempDir
    Path work;

    @Test
    void everyCommittedMessageIsRepublishedToTheTargetIntegrationsBrokerEvenAcrossItsRestart() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        MosquittoBroker broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of());
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of("sinks.pollMillis", "20", "sinks.retryBaseMillis", "100",
                "sinks.retryMaxSeconds", "1")).withIngestKey()) {
            UUID org = UUID.fromString(service.organizationId);
            String admin = service.adminKey;
            String target = Json.strict().readTree(service.send("POST", "/api/v1/integrations", admin,
                    "{\"name\":\"downstream\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + broker.port() + "}}").body()).path("id").asText();
            SinkStore store = service.runtime.sinks().store();
            SinkRecord sink = new SinkRecord(MessageIds.next(), org, UUID.fromString(service.integrationId), "republish", "mqtt",
                    "{\"integrationId\":\"" + target + "\",\"topic\":\"out/${header.mqiTopic}\"}", null, "#", null, "raw", false, 100, null, null);
            new Tenancy(db).inOrg(org, c -> store.insert(c, sink));
            service.runtime.sinks().dispatcher().claim();

            // A persistent session: what the sink publishes while mosquitto_sub reconnects after the restart waits for it.
            Process sub = broker.subscribe("out/#", 200, 120, null, null, "sink-test-subscriber");
            broker.subscribed("out/#");
            ingest(service, 0, 100);
            broker = broker.restart(true); // down for a moment in the middle: the sink retries
            ingest(service, 100, 100);
            assertTrue(sub.waitFor(120, TimeUnit.SECONDS), "200 messages republished");
            List<String> lines = new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            Map<String, List<Integer>> byDevice = new LinkedHashMap<>();
            for (String line : lines) {
                String topic = line.substring(0, line.indexOf(' '));
                assertTrue(topic.matches("out/site/devices/d[0-3]/telemetry"), line);
                byDevice.computeIfAbsent(topic, t -> new ArrayList<>())
                        .add(Json.strict().readTree(line.substring(line.indexOf(' ') + 1)).path("n").asInt());
            }
            assertEquals(200, lines.size());
            byDevice.forEach((topic, n) -> assertEquals(n.stream().sorted().toList(), n, topic + " in order"));
            await().atMost(Duration.ofSeconds(10)).until(() -> store.backlog(org, sink.id()).messages() == 0);
        } finally {
            broker.close();
        }
    }

    private static void ingest(RuntimeHarness service, int from, int count) throws Exception {
        StringBuilder batch = new StringBuilder("[");
        for (int k = from; k < from + count; k++) {
            batch.append(k == from ? "" : ",").append("{\"topic\":\"site/devices/d").append(k % 4)
                    .append("/telemetry\",\"payload\":{\"n\":").append(k).append("}}");
        }
        assertEquals(202, service.postJson("/api/v1/ingest", batch.append("]").toString()).statusCode());
    }
}
