package io.mqttintegration.runtime.broker;

import io.mqttintegration.broker.HostedBroker;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;

/**
 * The volume test, in the test JVM with the real service, PostgreSQL and the hosted broker:
 * 100 devices (100 credentials the API generated, 100 Paho v5 clients connected at once) publish 100
 * QoS 1 messages each, numbered; every message a device was acknowledged is stored exactly once (by
 * row count and by distinct device and number). Times are printed, not asserted.
 */
class HostedBrokerVolumeTest extends HostedBrokerCase {

    static final int DEVICES = 100;
    static final int MESSAGES = 100;
    /** QoS 1 messages a device keeps in flight (Paho refuses more than its window). */
    static final int WINDOW = 10;

    @Test
    void tenThousandQos1MessagesFromAHundredDevicesAreStoredExactlyOnce() throws Exception {
        RuntimeHarness.Tenant tenant = service.createOrganization("fleet");
        String integrationId = Json.strict().readTree(service.send("POST", "/api/v1/integrations", tenant.adminKey(),
                "{\"name\":\"fleet\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}").body()).path("id").asText();
        List<String[]> logins = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            HttpResponse<String> created = service.send("POST", "/api/v1/integrations/" + integrationId + "/credentials",
                    tenant.adminKey(), null);
            assertEquals(201, created.statusCode(), created.body());
            JsonNode c = Json.strict().readTree(created.body());
            logins.add(new String[] {c.path("username").asText(), c.path("password").asText()});
        }

        // Connected in parallel: a Paho connect takes a few hundred ms here.
        long t0 = System.nanoTime();
        List<IMqttToken> connects = new ArrayList<>();
        for (String[] login : logins) {
            MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + config.port(), login[0], new MemoryPersistence());
            clients.add(c);
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setUserName(login[0]);
            o.setPassword(login[1].getBytes(StandardCharsets.UTF_8));
            o.setConnectionTimeout(30);
            o.setAutomaticReconnect(false);
            connects.add(c.connect(o));
        }
        for (IMqttToken t : connects) {
            t.waitForCompletion(60_000);
        }
        long connected = System.nanoTime();
        assertEquals(DEVICES, hosted.broker().connectionCount() - 2, "100 devices connected (besides the 2 in-VM sessions)");

        AtomicInteger acknowledged = new AtomicInteger();
        ExecutorService devices = Executors.newFixedThreadPool(DEVICES);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int d = 0; d < DEVICES; d++) {
                MqttAsyncClient c = clients.get(d);
                String user = logins.get(d)[0];
                runs.add(devices.submit(() -> {
                    List<IMqttToken> tokens = new ArrayList<>();
                    for (int n = 0; n < MESSAGES; n++) {
                        if (n >= WINDOW) {
                            tokens.get(n - WINDOW).waitForCompletion(60_000);
                        }
                        MqttMessage m = new MqttMessage(("{\"d\":\"" + user + "\",\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8));
                        m.setQos(1);
                        tokens.add(c.publish("devices/" + user + "/telemetry", m));
                    }
                    for (IMqttToken t : tokens) {
                        t.waitForCompletion(60_000);
                        if (t.getReasonCodes() != null && t.getReasonCodes()[0] == 0) {
                            acknowledged.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        } finally {
            devices.shutdownNow();
        }
        long published = System.nanoTime();
        assertEquals(DEVICES * MESSAGES, acknowledged.get(), "every PUBLISH got PUBACK 0");

        String hosted = "FROM mqtt_messages WHERE source = 'hosted' AND integration_id = '" + integrationId + "'";
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> Rows.count(db, "SELECT count(*) " + hosted) >= DEVICES * MESSAGES);
        long stored = System.nanoTime();
        // Everything taken from the broker's queue (nothing left to store twice), then counted.
        await().atMost(Duration.ofSeconds(30)).until(() ->
                this.hosted.broker().server().locateQueue(HostedBroker.INGEST_QUEUE).getMessageCount() == 0);
        assertEquals(DEVICES * MESSAGES, Rows.count(db, "SELECT count(*) " + hosted), "as many rows as messages");
        assertEquals(DEVICES * MESSAGES, Rows.count(db, "SELECT count(DISTINCT (convert_from(payload, 'UTF8')::jsonb ->> 'd', "
                + "(convert_from(payload, 'UTF8')::jsonb ->> 'n')::int)) " + hosted), "each (device, number) once");
        assertEquals(DEVICES, Rows.count(db, "SELECT count(DISTINCT convert_from(payload, 'UTF8')::jsonb ->> 'd') " + hosted));
        assertEquals(0, Rows.count(db, "SELECT count(*) " + hosted + " AND (topic <> 'devices/' || (convert_from(payload, 'UTF8')::jsonb "
                + "->> 'd') || '/telemetry' OR organization_id <> '" + tenant.organizationId() + "')"),
                "each row under its device's topic and organization");
        assertTrue(Rows.count(db, "SELECT count(*) FROM mqtt_messages") == DEVICES * MESSAGES, "nothing else stored");
        System.out.printf("hosted volume: %d devices connected in %d ms; %d QoS 1 messages acknowledged in %d ms (%.0f msg/s); "
                + "all stored %d ms after the first publish (%.0f msg/s end to end)%n", DEVICES, (connected - t0) / 1_000_000,
                DEVICES * MESSAGES, (published - connected) / 1_000_000, DEVICES * MESSAGES * 1e9 / (published - connected),
                (stored - connected) / 1_000_000, DEVICES * MESSAGES * 1e9 / (stored - connected));
    }
}
