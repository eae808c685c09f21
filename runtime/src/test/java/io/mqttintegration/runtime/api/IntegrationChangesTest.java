package io.mqttintegration.runtime.api;

import static io.mqttintegration.runtime.api.ApiRequestsForTest.key;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.operator;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.refused;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.runtime.integrations.IntegrationSettings;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import io.mqttintegration.runtime.quotas.Quotas;
import io.mqttintegration.security.SecretBox;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.OrganizationStore;
import io.mqttintegration.storage.tenants.Quota;
import io.mqttintegration.storage.tenants.QuotaStore;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link IntegrationsApi} itself on a real PostgreSQL: what HTTP cannot show. The caches are told of a
 * change once it is committed, secrets are stored sealed, and the quota is checked in the same
 * transaction. The HTTP answers are IntegrationsApiTest's.
 */
class IntegrationChangesTest {

    static DataSource db;
    static OrganizationStore organizations;
    static final List<String> told = new CopyOnWriteArrayList<>();
    static IntegrationsApi api;

    @BeforeAll
    static void start() {
        db = TestDatabase.newDatabase();
        SchemaMigrations.apply(db);
        Tenancy tenancy = new Tenancy(db);
        organizations = new OrganizationStore(tenancy);
        Map<Quota, Integer> defaults = new EnumMap<>(Quota.class);
        for (Quota q : Quota.values()) {
            defaults.put(q, 2);
        }
        IntegrationStore store = new IntegrationStore(tenancy);
        api = new IntegrationsApi(tenancy, store, new ActivityLog(tenancy), new IntegrationSettings(() -> Set.of("standard")),
                new SecretBox(new byte[32]),
                // a listener reads the integration as committed: a changed one shows its new name, a deleted one is gone
                List.of((org, id) -> told.add(store.get(org, id).map(r -> "changed " + r.name()).orElse("gone " + id))),
                (org, id) -> Optional.of(Map.of("state", "running")),
                new Quotas(new QuotaStore(tenancy), defaults, new RateLimiter<>(0, Duration.ofSeconds(1))));
    }

    private static Map<String, Object> create(Principal caller, String name, String settings) {
        return api.create(request(caller, Map.of(), null, "{\"name\":\"" + name + "\",\"settings\":" + settings + "}"));
    }

    @Test
    void theCachesAreToldOfAChangeOnceItIsCommitted() {
        told.clear();
        UUID org = organizations.create("told").id();
        Principal admin = key(org, "admin");
        String id = (String) create(admin, "first", "{\"host\":\"h.example\",\"password\":\"pw-secret-1\"}").get("id");
        assertEquals(1, Rows.count(db, "SELECT count(*) FROM integrations WHERE id = '" + id + "' AND secrets IS NOT NULL"
                + " AND settings::text NOT LIKE '%pw-secret-1%' AND position(convert_to('pw-secret-1', 'UTF8') in secrets) = 0"),
                "the password is stored, sealed");

        api.update(request(admin, Map.of("id", id), null, "{\"name\":\"second\"}"));
        api.delete(request(admin, Map.of("id", id)));
        assertEquals(List.of("changed second", "gone " + id), told);
        refused(404, () -> api.delete(request(admin, Map.of("id", id))));
        assertEquals(2, told.size(), "a refused change tells no one");
    }

    @Test
    void getAddsTheSubscriptionAndTheActivityNamesTheKey() {
        UUID org = organizations.create("viewed").id();
        Principal admin = key(org, "admin");
        String id = (String) create(admin, "viewed", "{\"host\":\"h.example\"}").get("id");
        Map<String, Object> view = api.get(request(key(org, "read"), Map.of("id", id)));
        assertEquals(Map.of("state", "running"), view.get("subscription"));
        String activity = Json.strict().valueToTree(api.activity(request(admin, Map.of("id", id)))).toString();
        assertTrue(activity.contains("\"actor\":\"key:" + admin.keyId() + "\""), activity);
        refused(404, () -> api.get(request(key(UUID.randomUUID(), "admin"), Map.of("id", id))));
    }

    @Test
    void theQuotaIsCheckedAsTheIntegrationIsCreated() {
        UUID org = organizations.create("capped").id();
        Principal operatorFor = operator();
        String query = "organizationId=" + org;
        for (int i = 0; i < 2; i++) {
            api.create(request(operatorFor, Map.of(), query, "{\"name\":\"n" + i + "\",\"settings\":{\"host\":\"h.example\"}}"));
        }
        refused(409, () -> api.create(request(operatorFor, Map.of(), query, "{\"name\":\"n3\",\"settings\":{\"host\":\"h.example\"}}")));
        assertEquals(2, Rows.count(db, "SELECT count(*) FROM integrations WHERE organization_id = '" + org + "'"),
                "the refused one was not stored");
    }
}
