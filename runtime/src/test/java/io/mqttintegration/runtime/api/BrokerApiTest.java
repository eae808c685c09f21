package io.mqttintegration.runtime.api;

import static io.mqttintegration.runtime.api.ApiRequestsForTest.key;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.refused;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.runtime.broker.HostedCommands;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.integrations.IntegrationSettings;
import io.mqttintegration.runtime.integrations.IntegrationTargets;
import io.mqttintegration.runtime.mqtt.BrokerClients;
import io.mqttintegration.runtime.mqtt.BrokerTargets;
import io.mqttintegration.runtime.mqtt.ConnectionTester;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import io.mqttintegration.runtime.quotas.Quotas;
import io.mqttintegration.security.SecretBox;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.CredentialStore;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.OrganizationStore;
import io.mqttintegration.storage.tenants.Quota;
import io.mqttintegration.storage.tenants.QuotaStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Publish and the connection test ({@link BrokerApi} itself, with the settings the shipped etc/ gives
 * it) against a real Mosquitto and PostgreSQL. Their HTTP answers are OpenApiContractTest's and
 * BrokerGuardApiTest's.
 */
class BrokerApiTest {

    @TempDir
    static Path work;
    static MosquittoBroker broker;
    static OrganizationStore organizations;
    static IntegrationsApi integrations;
    static BrokerApi api;
    static BrokerClients clients;
    static Principal admin;

    @BeforeAll
    static void start() throws Exception {
        broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of("svc", "broker-pw"));
        javax.sql.DataSource db = TestDatabase.newDatabase();
        SchemaMigrations.apply(db);
        Tenancy tenancy = new Tenancy(db);
        organizations = new OrganizationStore(tenancy);
        IntegrationStore store = new IntegrationStore(tenancy);
        ActivityLog activity = new ActivityLog(tenancy);
        Map<Quota, Integer> defaults = new EnumMap<>(Quota.class);
        for (Quota q : Quota.values()) {
            defaults.put(q, 100);
        }
        Quotas quotas = new Quotas(new QuotaStore(tenancy), defaults, new RateLimiter<>(0, Duration.ofSeconds(1)));
        SecretBox box = new SecretBox(new byte[32]);
        // the tests' brokers listen on 127.0.0.1 (mqtt.allowPrivateTargets); the metadata address stays refused
        BrokerTargets targets = new BrokerTargets(true);
        clients = new BrokerClients(targets, 10);
        integrations = new IntegrationsApi(tenancy, store, activity, new IntegrationSettings(() -> java.util.Set.of("standard")), box,
                List.of(), (org, id) -> Optional.empty(), quotas);
        // mqtt.testTimeoutSeconds 10, mqtt.testsPerMinute 10 (etc/mqtt.integration.mqtt.cfg)
        api = new BrokerApi(store, activity, new IntegrationTargets(box, "test-node"), clients, new ConnectionTester(targets, 10),
                new RateLimiter<>(10), quotas, new HostedCommands(new CredentialStore(tenancy)));
        admin = key(organizations.create("o").id(), "admin");
    }

    @AfterAll
    static void stop() throws Exception {
        clients.close();
        broker.close();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static JsonNode json(Object reply) {
        return Json.strict().valueToTree(reply);
    }

    static String integration(Principal caller, String settings) {
        return (String) integrations.create(request(caller, Map.of(), null, "{\"name\":\"b\",\"settings\":" + settings + "}")).get("id");
    }

    static String integration(String settings) {
        return integration(admin, settings);
    }

    private static Map<String, Object> publish(String id, String body) {
        return api.publish(request(admin, Map.of("id", id), null, body));
    }

    private static JsonNode activity(String id) {
        return json(integrations.activity(request(admin, Map.of("id", id))));
    }

    /** The error body http-errors writes for the exception. */
    private static String answer(ApiException e) {
        return json(Map.of("error", e.code(), "detail", e.getMessage(), "extra", e.extra())).toString();
    }

    @Test
    void publishesWhatTheBodySaysAndNothingElse() throws Exception {
        String id = integration("{\"host\":\"127.0.0.1\",\"port\":" + broker.port() + ",\"username\":\"svc\",\"password\":\"broker-pw\"}");
        Process sub = broker.subscribe("plant/#", 2, 10, "svc", "broker-pw");
        broker.subscribed("plant/#");

        assertEquals("{\"ok\":true}", json(publish(id, "{\"topic\":\"plant/devices/d1/cmd\",\"payload\":{\"on\":true},\"qos\":1}"))
                .toString());
        assertEquals("{\"ok\":true}", json(publish(id, "{\"topic\":\"plant/text\",\"payload\":\"hello\"}")).toString());

        assertTrue(sub.waitFor(10, TimeUnit.SECONDS), "mosquitto_sub got its two messages");
        assertEquals("plant/devices/d1/cmd {\"on\":true}\nplant/text hello\n",
                new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8));

        JsonNode activity = activity(id);
        assertEquals("integration.published", activity.path("items").get(0).path("action").asText());
        assertEquals("ok", activity.path("items").get(0).path("outcome").asText());
    }

    @Test
    void refusesTopicsThatAreNotTopicNames() {
        String id = integration("{\"host\":\"127.0.0.1\",\"port\":" + broker.port() + "}");
        for (String topic : new String[] {"a/+/b", "a/#", "", "a\\u0000b"}) {
            refused(400, () -> publish(id, "{\"topic\":\"" + topic + "\",\"payload\":1}"));
        }
        assertEquals("unknown_field", refused(400, () -> publish(id, "{\"topic\":\"t\",\"payload\":1,\"CamelMqttTopic\":\"x\"}"))
                .code(), "no field can steer the producer");
        refused(400, () -> publish(id, "{\"topic\":\"t\",\"payload\":1,\"qos\":2}"));
    }

    @Test
    void brokerFailuresAreClassifiedNeverAStackTrace() throws Exception {
        String wrongPassword = integration("{\"host\":\"127.0.0.1\",\"port\":" + broker.port()
                + ",\"username\":\"svc\",\"password\":\"wrong\"}");
        assertEquals("broker_auth", refused(502, () -> publish(wrongPassword, "{\"topic\":\"t\",\"payload\":1}")).code());

        String closedPort = integration("{\"host\":\"127.0.0.1\",\"port\":" + freePort() + "}");
        assertEquals("broker_refused", refused(502, () -> publish(closedPort, "{\"topic\":\"t\",\"payload\":1}")).code());

        String metadata = integration("{\"host\":\"169.254.169.254\"}");
        ApiException blocked = refused(502, () -> publish(metadata, "{\"topic\":\"t\",\"payload\":1}"));
        assertEquals("broker_refused", blocked.code(), "a blocked address looks like a refused one");
        assertTrue(!answer(blocked).contains("Exception"), answer(blocked));
        assertEquals("error", activity(metadata).path("items").get(0).path("outcome").asText());
    }

    private static JsonNode test(Principal caller, String id) {
        return json(api.test(request(caller, Map.of("id", id))));
    }

    private static JsonNode test(String id) {
        return test(admin, id);
    }

    @Test
    void aConnectionTestIsARealRoundTripWithTimedSteps() throws Exception {
        JsonNode ok = test(integration("{\"host\":\"127.0.0.1\",\"port\":" + broker.port()
                + ",\"username\":\"svc\",\"password\":\"broker-pw\"}"));
        assertTrue(ok.path("ok").asBoolean(), ok.toString());
        List<String> steps = new java.util.ArrayList<>();
        ok.path("steps").forEach(step -> {
            steps.add(step.path("step").asText());
            assertTrue(step.path("ok").asBoolean(), step.toString());
            assertTrue(step.path("ms").isIntegralNumber());
        });
        assertEquals(List.of("dns", "tcp", "connect", "subscribe", "publish", "receive"), steps);
        assertTrue(ok.has("latencyMs") && !ok.has("error"));

        JsonNode refused = test(integration("{\"host\":\"127.0.0.1\",\"port\":" + freePort() + "}"));
        assertEquals("refused", refused.path("error").asText(), refused.toString());
        assertEquals("tcp", refused.path("steps").get(1).path("step").asText());
        assertTrue(!refused.path("steps").get(1).path("ok").asBoolean());

        JsonNode auth = test(integration("{\"host\":\"127.0.0.1\",\"port\":" + broker.port()
                + ",\"username\":\"svc\",\"password\":\"nope\"}"));
        assertEquals("auth", auth.path("error").asText(), auth.toString());

        JsonNode blocked = test(integration("{\"host\":\"169.254.169.254\",\"port\":1883}"));
        assertEquals("refused", blocked.path("error").asText(), "an SSRF target looks like any refused broker: " + blocked);
        assertTrue(!blocked.toString().contains("169.254"), "and says nothing about why: " + blocked);
    }

    @Test
    void connectionTestsAreRateLimitedPerOrganization() throws Exception {
        Principal busyAdmin = key(organizations.create("busy").id(), "admin");
        String id = integration(busyAdmin, "{\"host\":\"127.0.0.1\",\"port\":" + freePort() + "}");
        for (int i = 0; i < 10; i++) {
            test(busyAdmin, id);
        }
        ApiException limited = refused(429, () -> test(busyAdmin, id));
        assertEquals("rate_limited", limited.code());
        assertTrue(limited.retryAfterSeconds() > 0, "answered with Retry-After");
    }
}
