package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the scale-out tests start for each test: one PostgreSQL, one Mosquitto (user {@code svc}),
 * and two service nodes (ProductRuntimes with node ids na and nb) sharing a deployment's secrets and
 * a short subscription sync, with one organization ({@link #tenant}, its admin key {@link #admin}).
 * The nodes and the broker stop after it.
 */
abstract class TwoNodesCase {

    static final String TOPIC = "plant/+/devices/+/telemetry";
    static final int SYNC_SECONDS = 2;
    /** Every node of a deployment shares these (the sealed broker password, the API keys' hashes). */
    static final Map<String, String> SHARED = Map.of(
            "security.masterKey", Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'm'),
            "security.keyHashSecret", Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'k'),
            "mqtt.subscription.syncSeconds", Integer.toString(SYNC_SECONDS));

    @TempDir
    Path work;
    MosquittoBroker broker;
    DataSource db;
    RuntimeHarness a;
    RuntimeHarness b;
    RuntimeHarness.Tenant tenant;
    String admin;

    /** Settings the nodes of a test class add to {@link #SHARED} (none by default). */
    Map<String, String> nodeSettings() {
        return Map.of();
    }

    @BeforeEach
    void startNodes() throws Exception {
        broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of("svc", "broker-pw"));
        db = TestDatabase.newDatabase();
        a = node("na");
        b = node("nb");
        tenant = a.createOrganization("o");
        admin = tenant.adminKey();
    }

    RuntimeHarness node(String nodeId) throws Exception {
        Map<String, String> settings = new HashMap<>(SHARED);
        settings.putAll(nodeSettings());
        settings.put("mqtt.nodeId", nodeId);
        return RuntimeHarness.start(db, work.resolve(nodeId), settings);
    }

    @AfterEach
    void stopNodes() throws Exception {
        for (RuntimeHarness node : new RuntimeHarness[] {a, b}) {
            if (node != null) {
                node.close();
            }
        }
        broker.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    /** An integration of the organization on the test's Mosquitto, in this shared group (null: none). */
    String integration(String name, String sharedGroup) throws Exception {
        HttpResponse<String> r = a.send("POST", "/api/v1/integrations", admin, "{\"name\":\"" + name + "\",\"settings\":{"
                + "\"host\":\"127.0.0.1\",\"port\":" + broker.port() + ",\"username\":\"svc\",\"password\":\"broker-pw\""
                + (sharedGroup == null ? "" : ",\"sharedGroup\":\"" + sharedGroup + "\"") + "}}");
        assertEquals(201, r.statusCode(), r.body());
        return json(r).path("id").asText();
    }

    /** Subscribes the integration to {@link #TOPIC} at QoS 1 through this node. */
    void subscribe(RuntimeHarness node, String id) throws Exception {
        HttpResponse<String> r = node.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin,
                "{\"topics\":[\"" + TOPIC + "\"],\"qos\":1}");
        assertEquals(200, r.statusCode(), r.body());
    }

    static Optional<SubscriptionStatus> status(RuntimeHarness node, String id) {
        return node.runtime.subscriptions().running(UUID.fromString(id)).map(SubscriptionSupervisor::status);
    }

    static boolean connected(RuntimeHarness node, String id) {
        return status(node, id).map(s -> s.state() == SubscriptionStatus.State.CONNECTED).orElse(false);
    }

    static List<String> payloads(int count) {
        return IntStream.range(0, count).mapToObj(i -> "{\"seq\":" + i + ",\"temperature\":21.5}").toList();
    }
}
