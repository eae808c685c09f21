package io.mqttintegration.runtime.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one database, each keeping API keys and integrations it has read for at most
 * security.keyCacheMillis (1 s): a key revoked, or an integration deleted, through node A is refused
 * by A on the next request and by B once its entry expires, although B had just accepted it.
 */
class KeyCacheAcrossNodesTest {

    /** Every node of a deployment shares the API keys' hash secret. */
    static final Map<String, String> SHARED = Map.of(
            "security.keyHashSecret", Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'k'));
    /** Generous: the bound is 1 s; this only keeps a broken cache from hanging the test. */
    static final Duration DEADLINE = Duration.ofSeconds(10);
    /** How often node B is asked: the printed refusal time is this fine. */
    static final Duration POLL = Duration.ofMillis(50);

    @TempDir
    static Path work;
    static DataSource db;
    static RuntimeHarness a;
    static RuntimeHarness b;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.newDatabase();
        a = RuntimeHarness.start(db, work.resolve("a"), SHARED);
        b = RuntimeHarness.start(db, work.resolve("b"), SHARED);
    }

    @AfterAll
    static void stop() {
        for (RuntimeHarness node : new RuntimeHarness[] {a, b}) {
            if (node != null) {
                node.close();
            }
        }
    }

    record Tenant(String org, String admin, String integration) {
    }

    static Tenant tenant(String name) throws Exception {
        RuntimeHarness.Tenant t = a.createOrganization(name);
        HttpResponse<String> r = a.send("POST", "/api/v1/integrations", t.adminKey(),
                "{\"name\":\"i\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}");
        assertEquals(201, r.statusCode(), r.body());
        return new Tenant(t.organizationId(), t.adminKey(), field(r, "id"));
    }

    /** An ingest key, bound to the integration or (null) organization-wide; [id, key]. */
    static String[] ingestKey(Tenant t, String boundTo) throws Exception {
        HttpResponse<String> r = a.send("POST", "/api/v1/organizations/" + t.org() + "/api-keys", t.admin(),
                "{\"name\":\"gw\",\"scopes\":[\"ingest\"]" + (boundTo == null ? "" : ",\"integrationId\":\"" + boundTo + "\"")
                        + "}");
        assertEquals(201, r.statusCode(), r.body());
        return new String[] {field(r, "id"), field(r, "key")};
    }

    static String field(HttpResponse<String> r, String name) throws Exception {
        return Json.strict().readTree(r.body()).path(name).asText();
    }

    static HttpResponse<String> ingest(RuntimeHarness node, String key, String integration) throws Exception {
        return node.send("POST", "/api/v1/ingest", key, "{\"topic\":\"d/1\",\"payload\":{\"t\":1}"
                + (integration == null ? "" : ",\"integrationId\":\"" + integration + "\"") + "}");
    }

    /** Polls B until it answers the status; prints how long that took after the change on A. */
    static void awaitRefusedByB(String what, int status, long changedAtNanos, String key, String integration) throws Exception {
        await("node B to answer " + status + " once " + what).atMost(DEADLINE).pollInterval(POLL)
                .untilAsserted(() -> assertEquals(status, ingest(b, key, integration).statusCode(), "node B's answer"));
        System.out.printf("KeyCacheAcrossNodesTest: node B refused (%d) %d ms after %s on node A%n", status,
                (System.nanoTime() - changedAtNanos) / 1_000_000, what);
    }

    @Test
    void aKeyRevokedOnOneNodeIsRefusedThereAtOnceAndOnTheOtherWithinTheCacheTime() throws Exception {
        Tenant t = tenant("revoke");
        String[] key = ingestKey(t, t.integration());
        assertEquals(202, ingest(a, key[1], null).statusCode(), "node A reads the key");
        assertEquals(202, ingest(b, key[1], null).statusCode(), "node B reads the key, so its cache is warm");

        HttpResponse<String> revoked = a.send("DELETE", "/api/v1/organizations/" + t.org() + "/api-keys/" + key[0], t.admin(), null);
        assertEquals(204, revoked.statusCode(), revoked.body());
        long revokedAt = System.nanoTime();
        assertEquals(401, ingest(a, key[1], null).statusCode(), "the node that revoked the key refuses it on the next request");
        awaitRefusedByB("the key was revoked", 401, revokedAt, key[1], null);
    }

    @Test
    void anIntegrationDeletedOnOneNodeIsRefusedThereAtOnceAndOnTheOtherWithinTheCacheTime() throws Exception {
        Tenant t = tenant("delete integration");
        String[] orgWide = ingestKey(t, null);
        assertEquals(202, ingest(a, orgWide[1], t.integration()).statusCode(), "node A reads the integration");
        assertEquals(202, ingest(b, orgWide[1], t.integration()).statusCode(), "node B reads it, so its cache is warm");

        HttpResponse<String> deleted = a.send("DELETE", "/api/v1/integrations/" + t.integration(), t.admin(), null);
        assertEquals(204, deleted.statusCode(), deleted.body());
        long deletedAt = System.nanoTime();
        assertEquals(404, ingest(a, orgWide[1], t.integration()).statusCode(),
                "the node that deleted the integration refuses messages for it on the next request");
        awaitRefusedByB("the integration was deleted", 404, deletedAt, orgWide[1], t.integration());
    }

    @Test
    void aKeyBoundToADeletedIntegrationIsRefusedThereAtOnceAndOnTheOtherWithinTheCacheTime() throws Exception {
        Tenant t = tenant("delete bound integration");
        String[] bound = ingestKey(t, t.integration());
        assertEquals(202, ingest(a, bound[1], null).statusCode(), "node A reads the key");
        assertEquals(202, ingest(b, bound[1], null).statusCode(), "node B reads the key, so its cache is warm");

        HttpResponse<String> deleted = a.send("DELETE", "/api/v1/integrations/" + t.integration(), t.admin(), null);
        assertEquals(204, deleted.statusCode(), deleted.body());
        long deletedAt = System.nanoTime();
        assertEquals(401, ingest(a, bound[1], null).statusCode(),
                "deleting an integration deletes its keys: the node that deleted it refuses them on the next request");
        awaitRefusedByB("the key's integration was deleted", 401, deletedAt, bound[1], null);
    }

    @Test
    void aKeyCreatedOnOneNodeWorksOnTheOtherAtOnce() throws Exception {
        Tenant t = tenant("create");
        String[] unknown = {"", "mqi_abcdefghijkl_" + "x".repeat(43)};
        assertEquals(401, ingest(b, unknown[1], null).statusCode(), "an unknown key is refused");
        String[] key = ingestKey(t, t.integration());
        assertEquals(202, ingest(b, key[1], null).statusCode(), "unknown prefixes are not cached: a new key works everywhere at once");
    }
}
