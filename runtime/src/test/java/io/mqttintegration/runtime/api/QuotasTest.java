package io.mqttintegration.runtime.api;

import static io.mqttintegration.runtime.RuntimeHarness.OPERATOR_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-organization quotas (issue 13, finding 12): caps, the operator's overrides, the publish rate. */
class QuotasTest {

    @TempDir
    static Path work;
    static MosquittoBroker broker;
    static DataSource db;
    static RuntimeHarness service;

    @BeforeAll
    static void start() throws Exception {
        broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of("svc", "broker-pw"));
        db = TestDatabase.newDatabase();
        service = RuntimeHarness.start(db, work, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
        broker.close();
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    static HttpResponse<String> setQuotas(String key, String org, String body) throws Exception {
        return service.send("PATCH", "/api/v1/organizations/" + org + "/quotas", key, body);
    }

    static HttpResponse<String> createIntegration(String admin) throws Exception {
        return service.send("POST", "/api/v1/integrations", admin, "{\"name\":\"b\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":"
                + broker.port() + ",\"username\":\"svc\",\"password\":\"broker-pw\"}}");
    }

    static String integration(String admin) throws Exception {
        HttpResponse<String> r = createIntegration(admin);
        assertEquals(201, r.statusCode(), r.body());
        return json(r).path("id").asText();
    }

    static void assertQuotaExceeded(HttpResponse<String> r, int status, String quota, int limit) throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals("quota_exceeded", body.path("error").asText(), r.body());
        assertEquals(quota, body.path("quota").asText(), r.body());
        assertEquals(limit, body.path("limit").asInt(), r.body());
        assertTrue(body.path("detail").asText().contains(quota), r.body());
    }

    @Test
    void theIntegrationCapAnswers409UntilTheOperatorRaisesIt() throws Exception {
        RuntimeHarness.Tenant t = service.createOrganization("capped");
        assertEquals(200, setQuotas(OPERATOR_KEY, t.organizationId(), "{\"integrations\":2}").statusCode());
        integration(t.adminKey());
        integration(t.adminKey());
        assertQuotaExceeded(createIntegration(t.adminKey()), 409, "integrations", 2);

        HttpResponse<String> raised = setQuotas(OPERATOR_KEY, t.organizationId(), "{\"integrations\":3}");
        assertEquals(200, raised.statusCode(), raised.body());
        integration(t.adminKey());
        JsonNode view = json(service.send("GET", "/api/v1/organizations/" + t.organizationId() + "/quotas", t.adminKey(), null));
        assertEquals(3, view.path("quotas").path("integrations").path("limit").asInt(), view.toString());
        assertEquals(3, view.path("quotas").path("integrations").path("used").asInt(), view.toString());
        assertEquals(3, view.path("quotas").path("integrations").path("override").asInt(), view.toString());
        assertEquals(250, view.path("quotas").path("integrations").path("default").asInt(), "the shipped default");
        assertQuotaExceeded(createIntegration(t.adminKey()), 409, "integrations", 3);

        JsonNode cleared = json(setQuotas(OPERATOR_KEY, t.organizationId(), "{\"integrations\":null}"));
        assertTrue(cleared.path("quotas").path("integrations").path("override").isNull(), cleared.toString());
        assertEquals(250, cleared.path("quotas").path("integrations").path("limit").asInt(), "back to the default");
    }

    @Test
    void anOrganizationsAdminReadsButCannotChangeItsQuotas() throws Exception {
        RuntimeHarness.Tenant t = service.createOrganization("own");
        RuntimeHarness.Tenant other = service.createOrganization("other");
        HttpResponse<String> own = setQuotas(t.adminKey(), t.organizationId(), "{\"integrations\":1000}");
        assertEquals(403, own.statusCode(), own.body());
        assertEquals("forbidden", json(own).path("error").asText());
        assertEquals(403, setQuotas(t.adminKey(), other.organizationId(), "{\"integrations\":1000}").statusCode());
        assertEquals(403, service.send("PATCH", "/api/v1/organizations/" + t.organizationId() + "/retention", t.adminKey(),
                "{\"retentionDays\":1}").statusCode(), "an organization cannot shorten or lengthen its own retention");
        assertEquals(200, service.send("GET", "/api/v1/organizations/" + t.organizationId() + "/quotas", t.adminKey(), null)
                .statusCode());
        assertEquals(404, service.send("GET", "/api/v1/organizations/" + other.organizationId() + "/quotas", t.adminKey(), null)
                .statusCode(), "another organization's quotas are not there for this key");
        assertEquals(404, setQuotas(OPERATOR_KEY, "01a21fb7-16db-7118-8b82-707655e83449", "{\"integrations\":1}").statusCode());
        HttpResponse<String> bad = setQuotas(OPERATOR_KEY, t.organizationId(), "{\"integrations\":-1}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals(400, setQuotas(OPERATOR_KEY, t.organizationId(), "{\"threads\":1}").statusCode());
        JsonNode view = json(service.send("GET", "/api/v1/organizations/" + t.organizationId() + "/quotas", t.adminKey(), null));
        assertEquals(250, view.path("quotas").path("integrations").path("limit").asInt(), "unchanged: " + view);
    }

    @Test
    void theHostedBrokersLimitsAreReadAndSetLikeTheOthers() throws Exception {
        RuntimeHarness.Tenant t = service.createOrganization("devices");
        JsonNode view = json(service.send("GET", "/api/v1/organizations/" + t.organizationId() + "/quotas", t.adminKey(), null));
        JsonNode devices = view.path("quotas").path("connectedDevices");
        assertEquals(10000, devices.path("limit").asInt(), view.toString());
        assertEquals(10000, devices.path("default").asInt());
        assertTrue(devices.path("override").isNull());
        assertTrue(devices.path("used").isMissingNode(), "counted by each node's broker, not in the database: " + view);
        assertEquals(100, view.path("quotas").path("deviceMessagesPerSecond").path("limit").asInt(), view.toString());

        HttpResponse<String> set = setQuotas(OPERATOR_KEY, t.organizationId(), "{\"connectedDevices\":5,\"deviceMessagesPerSecond\":0}");
        assertEquals(200, set.statusCode(), set.body());
        JsonNode after = json(set);
        assertEquals(5, after.path("quotas").path("connectedDevices").path("override").asInt(), after.toString());
        assertEquals(5, after.path("quotas").path("connectedDevices").path("limit").asInt());
        assertEquals(0, after.path("quotas").path("deviceMessagesPerSecond").path("limit").asInt(), "0: no message allowed");
        assertEquals(250, after.path("quotas").path("integrations").path("limit").asInt(), "the others stay");
        HttpResponse<String> bad = setQuotas(OPERATOR_KEY, t.organizationId(), "{\"deviceMessagesPerSecond\":-1}");
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals("deviceMessagesPerSecond", json(bad).path("field").asText(), bad.body());
        JsonNode cleared = json(setQuotas(OPERATOR_KEY, t.organizationId(), "{\"connectedDevices\":null}"));
        assertEquals(10000, cleared.path("quotas").path("connectedDevices").path("limit").asInt(), "back to the default");
        assertEquals(0, cleared.path("quotas").path("deviceMessagesPerSecond").path("limit").asInt());
    }

    @Test
    void theLiveSubscriptionCapCountsNewSubscriptionsOnly() throws Exception {
        RuntimeHarness.Tenant t = service.createOrganization("subscriber");
        setQuotas(OPERATOR_KEY, t.organizationId(), "{\"subscriptions\":1}");
        String first = integration(t.adminKey());
        String second = integration(t.adminKey());
        String body = "{\"topics\":[\"quota/+/t\"],\"qos\":1}";
        assertEquals(200, service.send("POST", "/api/v1/integrations/" + first + "/subscribe", t.adminKey(), body).statusCode());
        assertQuotaExceeded(service.send("POST", "/api/v1/integrations/" + second + "/subscribe", t.adminKey(), body), 409,
                "subscriptions", 1);
        assertEquals(200, service.send("POST", "/api/v1/integrations/" + first + "/subscribe", t.adminKey(),
                "{\"topics\":[\"quota/+/other\"],\"qos\":1}").statusCode(), "changing a subscription takes no new slot");
        assertEquals(200, service.send("DELETE", "/api/v1/integrations/" + first + "/subscribe", t.adminKey(), null).statusCode());
        assertEquals(200, service.send("POST", "/api/v1/integrations/" + second + "/subscribe", t.adminKey(), body).statusCode(),
                "the slot is free again");
        service.send("DELETE", "/api/v1/integrations/" + second + "/subscribe", t.adminKey(), null);
    }

    @Test
    void theDeviceCredentialCapCountsCredentialsNotRevoked() throws Exception {
        RuntimeHarness.Tenant t = service.createOrganization("devices");
        setQuotas(OPERATOR_KEY, t.organizationId(), "{\"credentials\":1}");
        String id = integration(t.adminKey());
        HttpResponse<String> created = service.send("POST", "/api/v1/integrations/" + id + "/credentials", t.adminKey(), "{}");
        assertEquals(201, created.statusCode(), created.body());
        assertQuotaExceeded(service.send("POST", "/api/v1/integrations/" + id + "/credentials", t.adminKey(), "{}"), 409,
                "credentials", 1);
        assertEquals(204, service.send("DELETE", "/api/v1/integrations/" + id + "/credentials/" + json(created).path("id").asText(),
                t.adminKey(), null).statusCode());
        assertEquals(201, service.send("POST", "/api/v1/integrations/" + id + "/credentials", t.adminKey(), "{}").statusCode(),
                "a revoked credential frees its slot");
    }

    @Test
    void publishingBeyondTheRateAnswers429WithRetryAfter() throws Exception {
        RuntimeHarness.Tenant t = service.createOrganization("publisher");
        setQuotas(OPERATOR_KEY, t.organizationId(), "{\"publishPerSecond\":2}");
        String id = integration(t.adminKey());
        List<Integer> statuses = new ArrayList<>();
        HttpResponse<String> refused = null;
        for (int i = 0; i < 50 && refused == null; i++) {
            HttpResponse<String> r = service.send("POST", "/api/v1/integrations/" + id + "/publish", t.adminKey(),
                    "{\"topic\":\"quota/rate\",\"payload\":{\"n\":" + i + "}}");
            statuses.add(r.statusCode());
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                assertEquals(200, r.statusCode(), r.body());
            }
        }
        System.out.println("publish at 2 per second, answers in a row: " + statuses);
        assertTrue(refused != null, "a publish beyond 2 per second is refused: " + statuses);
        assertQuotaExceeded(refused, 429, "publishPerSecond", 2);
        assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "Retry-After is sent");
        assertTrue(statuses.indexOf(429) >= 2, "the first two publishes pass: " + statuses);
    }

    @Test
    void concurrentCreatesCannotBothTakeTheLastSlot() throws Exception {
        RuntimeHarness.Tenant t = service.createOrganization("racing");
        setQuotas(OPERATOR_KEY, t.organizationId(), "{\"integrations\":3}");
        integration(t.adminKey());
        integration(t.adminKey());
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                Callable<Integer> create = () -> {
                    go.await();
                    return createIntegration(t.adminKey()).statusCode();
                };
                answers.add(pool.submit(create));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : answers) {
                statuses.add(f.get());
            }
            System.out.println("8 concurrent creates at the last slot: " + statuses);
            assertEquals(1, statuses.stream().filter(s -> s == 201).count(), "exactly one takes the last slot: " + statuses);
            assertEquals(racers - 1, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(3, Rows.count(db, "SELECT count(*) FROM integrations WHERE organization_id = '" + t.organizationId() + "'"));
    }
}
