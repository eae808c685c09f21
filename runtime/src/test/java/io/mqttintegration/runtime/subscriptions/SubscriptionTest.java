package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Persistent subscriptions against a real Mosquitto, stored in a real PostgreSQL. */
class SubscriptionTest {

    static final String TOPIC = "plant/+/devices/+/telemetry";

    @TempDir
    Path work;
    MosquittoBroker broker;
    RuntimeHarness service;
    DataSource db;
    String admin;

    @BeforeEach
    void start() throws Exception {
        broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of("svc", "broker-pw"));
        db = TestDatabase.newDatabase();
        service = RuntimeHarness.start(db, work, Map.of());
        admin = service.createOrganization("o").adminKey();
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        broker.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    String integration() throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations", admin, "{\"name\":\"b\",\"settings\":{"
                + "\"host\":\"127.0.0.1\",\"port\":" + broker.port() + ",\"username\":\"svc\",\"password\":\"broker-pw\"}}");
        assertEquals(201, r.statusCode(), r.body());
        return json(r).path("id").asText();
    }

    JsonNode subscription(String id) throws Exception {
        return json(service.send("GET", "/api/v1/integrations/" + id, admin, null)).path("subscription");
    }

    String subscribe(String id) throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin,
                "{\"topics\":[\"" + TOPIC + "\"],\"qos\":1}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(1, json(r).path("subscribed").asInt());
        awaitConnected(id);
        return id;
    }

    void awaitConnected(String id) throws Exception {
        await("subscription connected", Duration.ofSeconds(30), () -> subscription(id).path("state").asText().equals("connected"));
        broker.subscribed(TOPIC);
    }

    /** Awaitility, bounded by {@code timeout}; the failure names what was awaited. */
    static void await(String what, Duration timeout, Callable<Boolean> condition) {
        Awaitility.await(what).atMost(timeout).until(condition);
    }

    /** As above; the failure also shows {@code state}, read when the condition was last false. */
    static void await(String what, Duration timeout, Callable<String> state, Callable<Boolean> condition) {
        Awaitility.await(what).atMost(timeout).untilAsserted(() -> {
            if (!condition.call()) {
                throw new AssertionError(state.call());
            }
        });
    }

    static List<String> payloads(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> "{\"seq\":" + i + ",\"temperature\":21.5}").toList();
    }

    long stored() {
        return Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'mqtt' AND seq = 0");
    }

    List<String> storedPayloads() {
        List<String> all = new ArrayList<>();
        try (var c = db.getConnection(); var st = c.createStatement();
                var rs = st.executeQuery("SELECT convert_from(payload, 'UTF8') FROM mqtt_messages WHERE source = 'mqtt' AND seq = 0 "
                        + "ORDER BY (convert_from(payload, 'UTF8')::jsonb->>'seq')::int")) {
            while (rs.next()) {
                all.add(rs.getString(1));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return all;
    }

    @Test
    void storesEveryQos1MessageExactlyAsSent() throws Exception {
        String id = subscribe(integration());
        List<String> sent = payloads(0, 1000);
        long start = System.nanoTime();
        broker.publishLines("plant/p1/devices/d1/telemetry", sent, 1, "svc", "broker-pw");
        await("1000 messages stored", Duration.ofSeconds(60), () -> stored() >= 1000);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        System.out.printf("subscription: 1000 QoS 1 messages published and stored in %d ms (%.0f msg/s)%n", ms, 1000_000.0 / ms);

        List<String> expected = sent.stream().map(SubscriptionTest::normalized).toList();
        assertEquals(expected, storedPayloads().stream().map(SubscriptionTest::normalized).toList(),
                "each message stored once, as sent");
        assertEquals("d1", Rows.text(db, "SELECT device_id FROM mqtt_messages WHERE source = 'mqtt' LIMIT 1"),
                "parsed by the standard parser: device id from the topic");
        JsonNode status = subscription(id);
        assertEquals(1000, status.path("received").asLong());
        await("counters", Duration.ofSeconds(5), () -> subscription(id).path("stored").asLong() == 1000);
        assertEquals(0, subscription(id).path("failed").asLong());
        assertTrue(status.path("connectedSince").isTextual());

        List<String> actions = new ArrayList<>();
        json(service.send("GET", "/api/v1/integrations/" + id + "/activity", admin, null)).path("items")
                .forEach(e -> actions.add(e.path("action").asText()));
        assertTrue(actions.containsAll(List.of("integration.subscribed", "subscription.connected")), actions.toString());
    }

    private static String normalized(String json) {
        try {
            return Json.strict().readTree(json).toString();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void changingTheTopicsUnsubscribesTheFiltersNoLongerNamed() throws Exception {
        String id = subscribe(integration());
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin,
                "{\"topics\":[\"yard/devices/+/telemetry\"],\"qos\":1}");
        assertEquals(200, r.statusCode(), r.body());
        await("resubscribed", Duration.ofSeconds(30), () -> subscription(id).path("state").asText().equals("connected")
                && subscription(id).path("topics").toString().contains("yard"));
        broker.subscribed("yard/devices/+/telemetry");
        await("the old filter unsubscribed", Duration.ofSeconds(10), () -> broker.log().contains("UNSUBSCRIBE"));

        // In order on one connection: a message on the old filter first, then one on the new.
        broker.publishLines("plant/p1/devices/old/telemetry", List.of("{\"v\":1}"), 1, "svc", "broker-pw");
        broker.publishLines("yard/devices/new/telemetry", List.of("{\"v\":2}"), 1, "svc", "broker-pw");
        await("the new topic's message stored", Duration.ofSeconds(20), () -> stored() >= 1);
        assertEquals("new", Rows.text(db, "SELECT string_agg(device_id, ',') FROM mqtt_messages WHERE source = 'mqtt'"),
                "the kept session no longer delivers the filter the topics dropped");
    }

    @Test
    void theBrokerKeepsTheSessionWhileTheServiceIsDown() throws Exception {
        subscribe(integration());
        service.close();
        service = null;
        broker.publishLines("plant/p1/devices/d2/telemetry", payloads(0, 500), 1, "svc", "broker-pw");

        service = RuntimeHarness.start(db, work, Map.of());
        await("500 messages stored after the restart", Duration.ofSeconds(60), () -> stored() >= 500);
        assertEquals(payloads(0, 500).stream().map(SubscriptionTest::normalized).toList(),
                storedPayloads().stream().map(SubscriptionTest::normalized).toList(), "all 500, each once");
    }

    @Test
    void aSessionTheBrokerKeptIsNotSubscribedAgainSoItsRetainedMessageIsStoredOnce() throws Exception {
        MqttClient publisher = new MqttClient("tcp://127.0.0.1:" + broker.port(), "retainer", new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName("svc");
        options.setPassword("broker-pw".getBytes(StandardCharsets.UTF_8));
        publisher.connect(options);
        publisher.publish("plant/p1/devices/r/telemetry", "{\"seq\":-1}".getBytes(StandardCharsets.UTF_8), 1, true);
        publisher.disconnect();
        publisher.close();
        String id = subscribe(integration());
        await("the retained message stored", Duration.ofSeconds(20), () -> stored() == 1);
        assertEquals(1, subscribes(), "one SUBSCRIBE");

        service.close(); // the service restarts: the broker kept the session with its subscription
        service = RuntimeHarness.start(db, work, Map.of());
        awaitConnected(id);
        broker.publishLines("plant/p1/devices/d4/telemetry", payloads(0, 10), 1, "svc", "broker-pw");
        await("messages after the service's restart stored", Duration.ofSeconds(20), () -> stored() == 11);

        broker = broker.restart(true); // the broker restarts with its state: the session is still there
        await("reconnected", Duration.ofSeconds(30), () -> subscription(id).path("state").asText().equals("connected"));
        broker.publishLines("plant/p1/devices/d4/telemetry", payloads(10, 10), 1, "svc", "broker-pw");
        await("messages after the broker's restart stored", Duration.ofSeconds(20), () -> stored() == 21);
        assertEquals(1, subscribes(), "no SUBSCRIBE on a connect that found its session with the filters");
        assertEquals(1, Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE device_id = 'r'"),
                "the retained message stored once, not again with each SUBSCRIBE");

        broker = broker.restart(false); // without its state: the session is gone, so the client subscribes
        await("subscribed again", Duration.ofSeconds(30), () -> subscribes() == 2 && subscription(id).path("state").asText()
                .equals("connected"));
        broker.subscribed(TOPIC);
        broker.publishLines("plant/p1/devices/d4/telemetry", payloads(20, 10), 1, "svc", "broker-pw");
        await("messages after the broker lost the session stored", Duration.ofSeconds(20), () -> stored() == 31);
    }

    /** SUBSCRIBE packets the broker received (its log file goes on across restarts). */
    long subscribes() throws Exception {
        return broker.log().lines().filter(l -> l.contains("Received SUBSCRIBE from")).count();
    }

    @Test
    void resubscribesByItselfWhenTheBrokerComesBackWithoutItsState() throws Exception {
        String id = subscribe(integration());
        broker = broker.restart(false);
        long start = System.nanoTime();
        await("reconnected", Duration.ofSeconds(30), () -> subscription(id).path("state").asText().equals("connected"));
        broker.subscribed(TOPIC);
        System.out.printf("broker restart: subscription back after %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        broker.publishLines("plant/p1/devices/d3/telemetry", payloads(0, 10), 1, "svc", "broker-pw");
        await("messages after the restart stored", Duration.ofSeconds(20), () -> stored() >= 10);
    }

    @Test
    void unsubscribingAndDeletingCloseTheSession() throws Exception {
        String id = subscribe(integration());
        String route = "mqtt-subscription-" + id;
        assertTrue(service.runtime.camelContext().getRoute(route) != null, "a route per subscription");

        HttpResponse<String> stop = service.send("DELETE", "/api/v1/integrations/" + id + "/subscribe", admin, null);
        assertEquals(200, stop.statusCode(), stop.body());
        assertNull(service.runtime.camelContext().getRoute(route));
        assertTrue(subscription(id).isNull(), "no subscription any more");
        assertEquals(404, service.send("DELETE", "/api/v1/integrations/" + id + "/subscribe", admin, null).statusCode());

        subscribe(id);
        assertEquals(204, service.send("DELETE", "/api/v1/integrations/" + id, admin, null).statusCode());
        assertNull(service.runtime.camelContext().getRoute(route), "deleting the integration stops its route");
        String clientId = "mqi-" + id.replace("-", "").substring(0, 19);
        await("the session closed", Duration.ofSeconds(10), () -> broker.log().split("Client " + clientId + " disconnected").length > 2);
        assertEquals(0, Rows.count(db, "SELECT count(*) FROM subscriptions"));
    }

    @Test
    void reloadingTheTemplateKeepsOneClient() throws Exception {
        String id = subscribe(integration());
        Path template = service.routesDir.resolve("mqtt-subscription.camel.yaml");
        Files.writeString(template, Files.readString(template) + "\n# edited\n");
        String clientId = "mqi-" + id.replace("-", "").substring(0, 19);
        await("route re-created", Duration.ofSeconds(20), () -> broker.log().split("New client connected from .* as " + clientId).length >= 2
                || broker.log().split("as " + clientId).length > 2);
        awaitConnected(id);
        broker.publishLines("plant/p1/devices/d4/telemetry", payloads(0, 20), 1, "svc", "broker-pw");
        await("20 stored", Duration.ofSeconds(20), () -> stored() >= 20);
        TimeUnit.MILLISECONDS.sleep(500);
        assertEquals(20, stored(), "one subscription after the reload, so each message once");
    }

    @Test
    void refusesBadRequests() throws Exception {
        String id = integration();
        for (String body : List.of("{\"topics\":[]}", "{\"topics\":[\"a/#/b\"]}", "{\"topics\":[\"a\"],\"qos\":2}",
                "{\"topics\":\"a\"}", "{\"topics\":[\"a\"],\"extra\":1}", "{}")) {
            HttpResponse<String> r = service.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin, body);
            assertEquals(400, r.statusCode(), body + " -> " + r.body());
        }
        assertEquals(0, Rows.count(db, "SELECT count(*) FROM subscriptions"));
    }

    /**
     * Poison messages among good ones: each is kept with its reason (stored raw with the parser's
     * reason, or in dead_letters when PostgreSQL refuses it), the others are stored parsed, and every
     * one is acknowledged once: no redelivery loop.
     */
    @Test
    @org.junit.jupiter.api.Tag("reliability")
    void poisonMessagesAreKeptWithTheirReasonAndAcknowledged() throws Exception {
        String id = subscribe(integration());
        String topic = "plant/p1/devices/d9/telemetry";
        List<String> lines = List.of(
                "{\"seq\":1,\"t\":1}",
                "{\"seq\":2,\"name\":\"a\\u0000b\"}",
                "{\"seq\":3,\"t\":NaN}",
                "{\"seq\":4,\"timestamp\":\"30000-01-01T00:00:00Z\",\"t\":1}",
                "{\"seq\":5,\"t\":1e999}",
                "{\"seq\":6,\"t\":6}",
                "{\"seq\":8,\"t\":8,\"label\":\"x\\ud800y\"}");
        broker.publishLines(topic, lines, 1, "svc", "broker-pw");
        Path big = work.resolve("big.json");
        Files.writeString(big, "{\"seq\":7,\"s\":\"" + "x".repeat(1_100_000) + "\"}");
        Process p = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(broker.port()), "-u", "svc",
                "-P", "broker-pw", "-t", topic, "-q", "1", "-f", big.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, new String(p.getInputStream().readAllBytes()));

        await("all 8 kept", Duration.ofSeconds(30), () -> stored() + Rows.count(db, "SELECT count(*) FROM dead_letters") >= 8);
        TimeUnit.SECONDS.sleep(2);
        assertEquals(8, subscription(id).path("received").asLong(), "each delivered once: acknowledged, no redelivery");
        assertEquals(0, subscription(id).path("failed").asLong());
        String seq = "substring(convert_from(payload, 'UTF8') from '\"seq\":([0-9]+)')";
        String outcomes = Rows.text(db, "SELECT string_agg(s || ':' || o, ' ' ORDER BY s) FROM ("
                + "SELECT " + seq + " s, parse_status || coalesce('(' || left(parse_error, 60) || ')', '') o FROM mqtt_messages WHERE seq = 0 "
                + "UNION ALL SELECT " + seq + ", 'dead_letter(' || left(reason, 60) || ')' FROM dead_letters) x");
        System.out.println("poison messages: " + outcomes);
        assertEquals(8, Rows.count(db, "SELECT count(DISTINCT s) FROM (SELECT " + seq + " s FROM mqtt_messages WHERE seq = 0 "
                + "UNION ALL SELECT " + seq + " FROM dead_letters) x"), "every message kept, once: " + outcomes);
        assertTrue(outcomes.contains("1:parsed") && outcomes.contains("6:parsed"), "the good ones are stored parsed: " + outcomes);
        assertTrue(outcomes.contains("8:failed(standard: payload holds a lone surrogate (U+D800)"),
                "a lone surrogate escape is not read as '?': " + outcomes);
        assertEquals("{\"seq\":8,\"t\":8,\"label\":\"x\\ud800y\"}", Rows.text(db, "SELECT convert_from(payload, 'UTF8') FROM mqtt_messages"
                + " WHERE seq = 0 AND position('\"seq\":8' in convert_from(payload, 'UTF8')) > 0"), "its payload is kept byte for byte");
        assertEquals(0, Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE seq = 0 AND parse_status = 'failed' "
                + "AND coalesce(parse_error, '') = ''") + Rows.count(db, "SELECT count(*) FROM dead_letters WHERE reason = ''"),
                "what could not be parsed or stored is kept with its reason: " + outcomes);
        String clientId = "mqi-" + id.replace("-", "").substring(0, 19);
        assertEquals(8, broker.log().split("Received PUBACK from " + clientId, -1).length - 1, "one PUBACK each");
    }

    /**
     * An integration that declares its messages' identity (here an MQTT 5 user property): a message
     * the broker delivers again with the same id (as after a crash between the commit and the PUBACK)
     * is acknowledged and not stored a second time; one without the property is stored each time.
     */
    @Test
    void aMessageDeliveredAgainWithItsDeclaredIdentityIsStoredOnce() throws Exception {
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations", admin, "{\"name\":\"b\",\"settings\":{"
                + "\"host\":\"127.0.0.1\",\"port\":" + broker.port() + ",\"username\":\"svc\",\"password\":\"broker-pw\","
                + "\"messageIdentity\":{\"userProperty\":\"msg-id\"}}}");
        assertEquals(201, r.statusCode(), r.body());
        String id = subscribe(json(r).path("id").asText());
        String topic = "plant/p1/devices/d1/telemetry";
        for (String msgId : List.of("m-1", "m-2", "m-1", "m-1", "")) {
            List<String> cmd = new ArrayList<>(List.of("mosquitto_pub", "-V", "mqttv5", "-h", "127.0.0.1", "-p",
                    Integer.toString(broker.port()), "-u", "svc", "-P", "broker-pw", "-t", topic, "-q", "1",
                    "-m", "{\"seq\":" + (msgId.isEmpty() ? 9 : msgId.charAt(2) - '0') + "}"));
            if (!msgId.isEmpty()) {
                cmd.addAll(List.of("-D", "publish", "user-property", "msg-id", msgId));
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, new String(p.getInputStream().readAllBytes()));
        }
        await("all five taken", Duration.ofSeconds(30), () -> subscription(id).path("stored").asLong() == 5);
        assertEquals(2, Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'mqtt' AND seq = 0 AND client_message_id IS NOT NULL"),
                "m-1 once and m-2 once, however often m-1 came");
        assertEquals(3, stored(), "and the message without the property, stored as it came");
        assertEquals(0, subscription(id).path("failed").asLong());
        assertEquals("msg-id", json(service.send("GET", "/api/v1/integrations/" + id, admin, null)).path("settings")
                .path("messageIdentity").path("userProperty").asText(), "the setting is shown");
    }
}
