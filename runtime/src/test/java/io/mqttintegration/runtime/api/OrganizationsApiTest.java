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
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import io.mqttintegration.runtime.quotas.Quotas;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.OrganizationStore;
import io.mqttintegration.storage.tenants.Quota;
import io.mqttintegration.storage.tenants.QuotaStore;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An organization's retention, through {@link OrganizationsApi} itself on a real PostgreSQL: its admin
 * reads it, the operator sets it. That PATCH is the operator's alone is the route's declared scope,
 * asserted over HTTP in QuotasTest.
 */
class OrganizationsApiTest {

    static DataSource db;
    static OrganizationStore store;
    static OrganizationsApi api;

    @BeforeAll
    static void start() {
        db = TestDatabase.newDatabase();
        SchemaMigrations.apply(db);
        Tenancy tenancy = new Tenancy(db);
        store = new OrganizationStore(tenancy);
        Map<Quota, Integer> defaults = new EnumMap<>(Quota.class);
        for (Quota q : Quota.values()) {
            defaults.put(q, 10);
        }
        // the node's retention.days: 90
        api = new OrganizationsApi(store, new Quotas(new QuotaStore(tenancy), defaults, new RateLimiter<>(0, Duration.ofSeconds(1))), 90);
    }

    private static UUID organization(String name) {
        return UUID.fromString((String) api.create(request(operator(), Map.of(), null, "{\"name\":\"" + name + "\"}")).get("id"));
    }

    private static Map<String, Object> get(Principal caller, UUID org) {
        return api.retention(request(caller, Map.of("orgId", org.toString())));
    }

    private static Map<String, Object> patch(UUID org, String body) {
        return api.updateRetention(request(operator(), Map.of("orgId", org.toString()), null, body));
    }

    /** As the reply route writes it. */
    private static String text(Map<String, Object> view) {
        return Json.strict().valueToTree(view).toString();
    }

    @Test
    void theOperatorSetsAnOrganizationsRetentionAndItsAdminReadsIt() {
        UUID org = organization("kept-short");
        Principal admin = key(org, "admin");
        assertEquals("{\"retentionDays\":90,\"default\":90,\"override\":null}", text(get(admin, org)), "the node's default");

        assertEquals("{\"retentionDays\":7,\"default\":90,\"override\":7}", text(patch(org, "{\"retentionDays\":7}")));
        assertEquals("{\"retentionDays\":7,\"default\":90,\"override\":7}", text(get(admin, org)));
        assertEquals(7, Rows.count(db, "SELECT retention_days FROM organizations WHERE id = '" + org + "'"),
                "stored on the organization's row, where the purge reads it");

        assertEquals("{\"retentionDays\":0,\"default\":90,\"override\":0}", text(patch(org, "{\"retentionDays\":0}")), "0 keeps forever");
        assertEquals("{\"retentionDays\":90,\"default\":90,\"override\":null}", text(patch(org, "{\"retentionDays\":null}")),
                "null: back to the default");
    }

    @Test
    void anotherOrganizationsIsNotThereAndBadValuesAreRefusedWithTheFieldNamed() {
        UUID org = organization("tenant");
        UUID other = organization("other");
        refused(404, () -> get(key(org, "admin"), other));
        refused(404, () -> patch(UUID.fromString("01a236a2-6898-79e0-8e90-bb6354fb1fbf"), "{\"retentionDays\":1}"));
        for (String bad : new String[] {"{\"retentionDays\":-1}", "{\"retentionDays\":36501}", "{\"retentionDays\":\"7\"}",
                "{\"retentionDays\":1.5}", "{}", "{\"retentionDays\":1,\"days\":2}"}) {
            ApiException error = refused(400, () -> patch(org, bad));
            assertTrue("retentionDays".equals(error.field()) || "days".equals(error.field()), bad + " " + error.field());
        }
        assertEquals("{\"retentionDays\":90,\"default\":90,\"override\":null}", text(get(operator(), org)),
                "nothing was changed by the refused requests");
    }
}
