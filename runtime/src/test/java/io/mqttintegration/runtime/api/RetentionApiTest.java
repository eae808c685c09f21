package io.mqttintegration.runtime.api;

import static io.mqttintegration.runtime.RuntimeHarness.OPERATOR_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An organization's retention through the API: its admin reads it, the operator alone sets it. */
class RetentionApiTest {

    @TempDir
    static Path work;
    static DataSource db;
    static RuntimeHarness service;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.newDatabase();
        service = RuntimeHarness.start(db, work, Map.of("retention.days", "90"));
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static HttpResponse<String> get(String key, String org) throws Exception {
        return service.send("GET", "/api/v1/organizations/" + org + "/retention", key, null);
    }

    private static HttpResponse<String> patch(String key, String org, String body) throws Exception {
        return service.send("PATCH", "/api/v1/organizations/" + org + "/retention", key, body);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    @Test
    void theOperatorSetsAnOrganizationsRetentionAndItsAdminReadsIt() throws Exception {
        RuntimeHarness.Tenant t = service.createOrganization("kept-short");
        JsonNode initial = json(get(t.adminKey(), t.organizationId()));
        assertEquals("{\"retentionDays\":90,\"default\":90,\"override\":null}", initial.toString(), "the node's default");

        HttpResponse<String> set = patch(OPERATOR_KEY, t.organizationId(), "{\"retentionDays\":7}");
        assertEquals(200, set.statusCode(), set.body());
        assertEquals("{\"retentionDays\":7,\"default\":90,\"override\":7}", json(set).toString());
        assertEquals("{\"retentionDays\":7,\"default\":90,\"override\":7}", json(get(t.adminKey(), t.organizationId())).toString());
        assertEquals(7, Rows.count(db, "SELECT retention_days FROM organizations WHERE id = '" + t.organizationId() + "'"),
                "stored on the organization's row, where the purge reads it");

        assertEquals("{\"retentionDays\":0,\"default\":90,\"override\":0}",
                json(patch(OPERATOR_KEY, t.organizationId(), "{\"retentionDays\":0}")).toString(), "0 keeps forever");
        assertEquals("{\"retentionDays\":90,\"default\":90,\"override\":null}",
                json(patch(OPERATOR_KEY, t.organizationId(), "{\"retentionDays\":null}")).toString(), "null: back to the default");
    }

    @Test
    void onlyTheOperatorSetsItAndBadValuesAreRefusedWithTheFieldNamed() throws Exception {
        RuntimeHarness.Tenant t = service.createOrganization("tenant");
        RuntimeHarness.Tenant other = service.createOrganization("other");
        assertEquals(403, patch(t.adminKey(), t.organizationId(), "{\"retentionDays\":1}").statusCode(),
                "an organization cannot shorten or lengthen its own retention");
        assertEquals(404, get(t.adminKey(), other.organizationId()).statusCode(), "another organization's");
        assertEquals(404, patch(OPERATOR_KEY, "01a236a2-6898-79e0-8e90-bb6354fb1fbf", "{\"retentionDays\":1}").statusCode());
        for (String bad : new String[] {"{\"retentionDays\":-1}", "{\"retentionDays\":36501}", "{\"retentionDays\":\"7\"}",
                "{\"retentionDays\":1.5}", "{}", "{\"retentionDays\":1,\"days\":2}"}) {
            HttpResponse<String> r = patch(OPERATOR_KEY, t.organizationId(), bad);
            assertEquals(400, r.statusCode(), bad + " " + r.body());
            JsonNode error = json(r);
            assertTrue(error.path("field").asText().equals("retentionDays") || error.path("field").asText().equals("days"),
                    bad + " " + r.body());
        }
        assertEquals("{\"retentionDays\":90,\"default\":90,\"override\":null}", json(get(OPERATOR_KEY, t.organizationId())).toString(),
                "nothing was changed by the refused requests");
    }
}
