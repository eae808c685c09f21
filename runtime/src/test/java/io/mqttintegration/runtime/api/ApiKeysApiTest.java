package io.mqttintegration.runtime.api;

import static io.mqttintegration.runtime.api.ApiRequestsForTest.key;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.operator;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.refused;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.auth.LiveKeys;
import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.runtime.cache.ExpiringCache;
import io.mqttintegration.security.ApiKeys;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.ApiKeyStore;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.OrganizationStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link ApiKeysApi} itself on a real PostgreSQL: keys shown once, listed without the key, revoked at once. */
class ApiKeysApiTest {

    static OrganizationStore organizations;
    static LiveKeys live;
    static ApiKeysApi api;

    @BeforeAll
    static void start() {
        DataSource db = TestDatabase.newDatabase();
        SchemaMigrations.apply(db);
        Tenancy tenancy = new Tenancy(db);
        organizations = new OrganizationStore(tenancy);
        ApiKeyStore store = new ApiKeyStore(tenancy);
        // kept a minute: only revoke() can make the key go before that
        live = new LiveKeys(store, new ExpiringCache<>(Duration.ofMinutes(1), 100, System::nanoTime));
        api = new ApiKeysApi(new ApiKeys(new byte[32]), store, organizations, new IntegrationStore(tenancy), live);
    }

    private static Map<String, String> path(UUID org) {
        return Map.of("orgId", org.toString());
    }

    private static Map<String, Object> create(Principal caller, UUID org, String body) {
        return api.create(request(caller, path(org), null, body));
    }

    @Test
    void theKeyIsInTheCreateAnswerOnlyAndARevokedKeyIsForgottenAtOnce() {
        UUID org = organizations.create("keys").id();
        Map<String, Object> created = create(operator(), org, "{\"name\":\"admin\",\"scopes\":[\"admin\",\"read\",\"admin\"]}");
        String key = (String) created.get("key");
        assertTrue(key.startsWith("mqi_"), key);
        assertEquals(List.of("admin", "read"), created.get("scopes"), "each scope once, in the order given");
        String prefix = ApiKeys.prefixOf(key).orElseThrow();
        assertTrue(live.find(prefix).isPresent(), "the new key works");

        Principal admin = key(org, "admin");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) api.list(request(admin, path(org))).get("items");
        assertEquals(1, items.size());
        assertFalse(items.get(0).containsKey("key"), "listed without the key: " + items);
        assertFalse(items.get(0).containsKey("revokedAt"));

        String id = (String) created.get("id");
        api.revoke(request(admin, Map.of("orgId", org.toString(), "keyId", id)));
        assertTrue(live.find(prefix).isEmpty(), "refused on the next request, not when the cache lets go");
        refused(404, () -> api.revoke(request(admin, Map.of("orgId", org.toString(), "keyId", id))));
    }

    @Test
    void anotherOrganizationsKeysAreNotThereAndBadBodiesNameTheField() {
        UUID org = organizations.create("own").id();
        UUID other = organizations.create("other").id();
        Principal admin = key(org, "admin");
        refused(404, () -> api.list(request(admin, path(other))));
        refused(404, () -> create(admin, other, "{\"name\":\"x\",\"scopes\":[\"read\"]}"));
        refused(404, () -> api.list(request(operator(), path(UUID.randomUUID()))));
        assertEquals("scopes[1]", refused(400, () -> create(admin, org, "{\"name\":\"x\",\"scopes\":[\"read\",\"root\"]}")).field());
        assertEquals("scopes", refused(400, () -> create(admin, org, "{\"name\":\"x\",\"scopes\":[]}")).field());
        assertEquals("integrationId", refused(404, () -> create(admin, org,
                "{\"name\":\"x\",\"scopes\":[\"ingest\"],\"integrationId\":\"" + UUID.randomUUID() + "\"}")).field());
        assertEquals("name", refused(400, () -> create(admin, org, "{\"scopes\":[\"read\"]}")).field());
        assertEquals(List.of(), api.list(request(admin, path(org))).get("items"), "nothing was created by the refused requests");
    }
}
