package io.mqttintegration.runtime.sinks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.MessageCallback;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.sinks.SinkRecord;
import io.mqttintegration.storage.sinks.SinkStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MQTT sinks against a real Mosquitto: what is ingested is republished, QoS 1, to the broker of
 * another integration of the organization, on the topic the sink's template makes, with its content
 * type and message id, each device's messages in order; a broker that is down gets them once it is back.
 */
class MqttSinkTest {

    static final int MESSAGES = 10_000;
    static final int DEVICES = 8;

    @TempDir
    Path work;

    /** A message as the subscriber got it. */
    record Arrived(String topic, int n, String deviceId, String contentType, String messageId) {
    }

    /**
     * 10,000 messages (100 a request, eight devices), the broker restarted halfway: each arrives, raw,
     * on {@code forwarded/<device>/<its topic>}, with its content type and {@code mqi-message-id}. A
     * publish whose PUBACK the restart lost is published again, and the subscriber's session may get a
     * message again after the restart: second copies are counted and printed; none may be missing.
     */
    @Test
    void everyCommittedMessageIsRepublishedToTheTargetIntegrationsBrokerEvenAcrossItsRestart() throws Exception {
        // Pooled as in Karaf (etc/org.ops4j.datasource-mqi.cfg: 8 connections): the MQTT sink looks up its
        // target integration at each publish, and on a plain DataSource each lookup opens a PostgreSQL
        // connection (~40 messages/s here instead of thousands).
        HikariConfig pool = new HikariConfig();
        pool.setDataSource(TestDatabase.newDatabase());
        pool.setMaximumPoolSize(8);
        pool.setConnectionTimeout(2_000);
        HikariDataSource db = new HikariDataSource(pool);
        MosquittoBroker broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of());
        MqttAsyncClient subscriber = new MqttAsyncClient("tcp://127.0.0.1:" + broker.port(), "sink-test-subscriber", new MemoryPersistence());
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of("sinks.pollMillis", "20", "sinks.retryBaseMillis", "100",
                "sinks.retryMaxSeconds", "1")).withIngestKey()) {
            UUID org = UUID.fromString(service.organizationId);
            String admin = service.adminKey;
            String target = Json.strict().readTree(service.send("POST", "/api/v1/integrations", admin,
                    "{\"name\":\"downstream\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + broker.port() + "}}").body()).path("id").asText();

            // A persistent session: what the sink publishes while the subscriber reconnects after the restart waits for it.
            Queue<Arrived> arrived = new ConcurrentLinkedQueue<>();
            subscriber.setCallback(new Recording(arrived));
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(false);
            options.setSessionExpiryInterval(600L);
            options.setAutomaticReconnect(true);
            options.setAutomaticReconnectDelay(1, 2);
            subscriber.connect(options).waitForCompletion(10_000);
            subscriber.subscribe("forwarded/#", 1).waitForCompletion(10_000);

            SinkStore store = service.runtime.sinks().store();
            SinkRecord sink = new SinkRecord(MessageIds.next(), org, UUID.fromString(service.integrationId), "republish", "mqtt",
                    "{\"integrationId\":\"" + target + "\",\"topic\":\"forwarded/${header.mqiDeviceId}/${header.mqiTopic}\"}", null, "#",
                    null, "raw", false, 100, null, null);
            new Tenancy(db).inOrg(org, c -> store.insert(c, sink));
            service.runtime.sinks().dispatcher().claim();

            ingest(service, 0, MESSAGES / 2);
            broker = broker.restart(true); // down for a moment in the middle: the sink retries
            ingest(service, MESSAGES / 2, MESSAGES / 2);
            await().atMost(Duration.ofSeconds(100)).untilAsserted(() -> assertEquals(MESSAGES, arrived.stream().map(Arrived::n).distinct()
                    .count(), "distinct messages arrived (" + arrived.size() + " in all; the subscriber connected: " + subscriber.isConnected()
                    + "; the sink's backlog: " + store.backlog(org, sink.id()) + ")"));

            List<Arrived> got = new ArrayList<>(arrived);
            Map<String, Integer> copies = new HashMap<>();
            Set<Integer> numbers = new HashSet<>();
            Map<String, List<Integer>> firstCopies = new LinkedHashMap<>();
            for (Arrived a : got) {
                String device = "d" + a.n() % DEVICES;
                assertEquals(device, a.deviceId(), "the payload as ingested");
                assertEquals("forwarded/" + device + "/site/devices/" + device + "/telemetry", a.topic(), "the sink's topic template");
                assertEquals("application/json", a.contentType());
                assertNotNull(a.messageId(), "the user property mqi-message-id");
                if (copies.merge(a.messageId(), 1, Integer::sum) == 1) {
                    firstCopies.computeIfAbsent(device, d -> new ArrayList<>()).add(a.n());
                }
                numbers.add(a.n());
            }
            System.out.printf("mqtt sink across a broker restart: %d messages received for %d, %d distinct, %d received more than once%n",
                    got.size(), MESSAGES, copies.size(), copies.values().stream().filter(c -> c > 1).count());
            assertEquals(MESSAGES, copies.size(), "every message, one message id each");
            assertEquals(IntStream.range(0, MESSAGES).boxed().collect(Collectors.toSet()), numbers, "none missing, none made up");
            assertEquals(DEVICES, firstCopies.size());
            firstCopies.forEach((device, n) -> assertEquals(n.stream().sorted().toList(), n, device + " in order"));
            await().atMost(Duration.ofSeconds(10)).until(() -> store.backlog(org, sink.id()).messages() == 0);
        } finally {
            try {
                subscriber.disconnectForcibly(0, 1000, false);
            } catch (MqttException alreadyDown) {
                // closed below either way
            }
            subscriber.close(true);
            broker.close();
            db.close();
        }
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

    /** Paho's callback (a per-subscription listener is not reliable in Paho 1.2.5): keeps each message as it arrives. */
    private record Recording(Queue<Arrived> arrived) implements MessageCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) throws Exception {
            var payload = Json.strict().readTree(message.getPayload());
            String id = message.getProperties().getUserProperties().stream().filter(p -> p.getKey().equals("mqi-message-id"))
                    .map(UserProperty::getValue).findFirst().orElse(null);
            arrived.add(new Arrived(topic, payload.path("n").asInt(), payload.path("deviceId").asText(),
                    message.getProperties().getContentType(), id));
        }
    }
}
