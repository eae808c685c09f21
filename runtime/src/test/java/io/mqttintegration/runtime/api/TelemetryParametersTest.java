package io.mqttintegration.runtime.api;

import static io.mqttintegration.runtime.api.ApiRequestsForTest.key;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.refused;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.OrganizationStore;
import io.mqttintegration.storage.tenants.TelemetryStore;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link TelemetryApi} itself on a real PostgreSQL: what its query parameters may be, and that a key
 * reads its own organization only. The readings themselves, ingested and queried over HTTP, are
 * TelemetryApiTest's.
 */
class TelemetryParametersTest {

    static OrganizationStore organizations;
    static IntegrationStore integrations;
    static Tenancy tenancy;
    static TelemetryApi api;

    @BeforeAll
    static void start() {
        javax.sql.DataSource db = TestDatabase.newDatabase();
        SchemaMigrations.apply(db);
        tenancy = new Tenancy(db);
        organizations = new OrganizationStore(tenancy);
        integrations = new IntegrationStore(tenancy);
        api = new TelemetryApi(new TelemetryStore(tenancy), integrations);
    }

    private static UUID integration(UUID org) {
        UUID id = MessageIds.next();
        tenancy.inOrg(org, c -> integrations.insert(c, new IntegrationRecord(id, org, "i", "mqtt", "{}", null, true, null, null)));
        return id;
    }

    @Test
    void badParametersAreRefusedNamingThem() {
        Principal reader = key(organizations.create("params").id(), "read");
        Map<String, Function<Request, Map<String, Object>>> operations = Map.of("telemetry", api::readings,
                "aggregate", api::aggregate, "messages", api::messages);
        for (String bad : new String[] {"telemetry?from=yesterday", "telemetry?from=2026-11-26T10:00:00", "telemetry?limit=0",
                "telemetry?limit=10001", "telemetry?cursor=garbage", "telemetry?integrationId=nope", "aggregate?metric=temp",
                "aggregate?metric=temp&from=2026-11-26T00:00:00Z&to=2026-11-27T00:00:00Z&bucket=2m",
                "aggregate?metric=temp&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&bucket=1m", "messages?limit=99999"}) {
            String[] call = bad.split("\\?", 2);
            refused(400, () -> operations.get(call[0]).apply(request(reader, Map.of(), call[1], null)));
        }
        refused(404, () -> api.readings(request(reader, Map.of(), "integrationId=01a21900-0000-7000-8000-000000000000", null)));
    }

    @Test
    void aKeyReadsItsOwnOrganizationOnly() {
        UUID org = organizations.create("own").id();
        UUID id = integration(org);
        Principal other = key(organizations.create("other").id(), "read");
        assertEquals("{\"items\":[],\"next\":null}", Json.strict().valueToTree(api.readings(request(other, Map.of(), null, null)))
                .toString(), "another organization sees none of it");
        refused(404, () -> api.latest(request(other, Map.of(), "integrationId=" + id, null)));
        assertEquals("{\"items\":[]}", Json.strict().valueToTree(api.latest(request(key(org, "read"), Map.of(), "integrationId=" + id,
                null))).toString(), "its own organization's integration, with no reading yet");
    }
}
