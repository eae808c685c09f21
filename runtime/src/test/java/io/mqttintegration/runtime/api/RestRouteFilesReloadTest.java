package io.mqttintegration.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.RuntimeHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route file's REST operations reload with it: a changed scope is enforced at once and shows in
 * the OpenAPI document; a removed file takes its operations out of both; a refused version keeps
 * the last good one answering.
 */
class RestRouteFilesReloadTest {

    @TempDir
    static Path work;
    static RuntimeHarness service;
    static String readKey;
    static String adminKey;

    @BeforeAll
    static void start() throws Exception {
        service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of());
        RuntimeHarness.Tenant tenant = service.createOrganization("reload");
        adminKey = tenant.adminKey();
        readKey = io.mqttintegration.parsers.Json.strict().readTree(service.send("POST", "/api/v1/organizations/"
                + tenant.organizationId() + "/api-keys", adminKey, "{\"name\":\"r\",\"scopes\":[\"read\"]}").body()).path("key").asText();
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    @Test
    void scopesAndTheDocumentFollowTheFile() throws Exception {
        Path file = service.routesDir.resolve("api-telemetry.camel.yaml");
        String shipped = Files.readString(file);
        assertEquals(200, service.send("GET", "/api/v1/messages", readKey, null).statusCode());
        // /health names where an operation's route is written: its route's from uri, as for every route
        com.fasterxml.jackson.databind.JsonNode health = io.mqttintegration.parsers.Json.strict().readTree(
                service.send("GET", "/health", RuntimeHarness.OPERATOR_KEY, null).body());
        int line = (int) shipped.substring(0, shipped.indexOf("      uri: direct:api-messages\n")).lines().count() + 1;
        String source = java.util.stream.StreamSupport.stream(health.path("routes").spliterator(), false)
                .filter(r -> r.path("id").asText().equals("api-messages")).findFirst().orElseThrow().path("source").asText();
        assertEquals("api-telemetry.camel.yaml:" + line, source, "the line of 'uri: direct:api-messages'");

        // the messages operation now wants admin
        int at = shipped.indexOf("to: direct:api-messages");
        String admin = shipped.substring(0, at) + shipped.substring(at).replaceFirst("scopes: read", "scopes: admin");
        Files.writeString(file, admin);
        assertTrue(service.runtime.deployer().deploy(file));
        assertEquals(403, service.send("GET", "/api/v1/messages", readKey, null).statusCode());
        assertEquals(200, service.send("GET", "/api/v1/messages", adminKey, null).statusCode());
        String doc = service.send("GET", "/api/v1/openapi.json", null, null).body();
        assertEquals(1, count(doc, "\"api-messages\""), "the reloaded operation is described once: " + doc);
        assertEquals("admin", io.mqttintegration.parsers.Json.strict().readTree(doc)
                .at("/paths/~1api~1v1~1messages/get/security/0/bearer/0").asText(), doc);

        // a version without a scope is refused; the last good one keeps answering
        Files.writeString(file, admin.replaceFirst("(?s)(to: direct:api-messages\\s+)security:\\s+- key: bearer\\s+scopes: admin", "$1"));
        assertThrowsRefused(file);
        assertEquals(403, service.send("GET", "/api/v1/messages", readKey, null).statusCode());

        // the file removed: its operations are gone from the server and from the document
        Files.delete(file);
        service.runtime.deployer().undeploy(file);
        assertEquals(404, service.send("GET", "/api/v1/messages", adminKey, null).statusCode());
        doc = service.send("GET", "/api/v1/openapi.json", null, null).body();
        assertFalse(doc.contains("/api/v1/messages"), doc);
        assertTrue(doc.contains("/api/v1/integrations"), doc);

        Files.writeString(file, shipped);
        assertTrue(service.runtime.deployer().deploy(file));
        assertEquals(200, service.send("GET", "/api/v1/messages", readKey, null).statusCode());
    }

    private static void assertThrowsRefused(Path file) {
        try {
            service.runtime.deployer().deploy(file);
        } catch (io.mqttintegration.runtime.routes.RouteFileException e) {
            assertTrue(e.getMessage().contains("declares the scope it needs"), e.getMessage());
            return;
        }
        throw new AssertionError("a REST operation without a scope was deployed");
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void aRouteThatIsNotADeclaredOperationIsTheOperatorsOnly() throws Exception {
        Path file = service.routesDir.resolve("probe.camel.yaml");
        Files.writeString(file, """
                - route:
                    id: probe
                    routeConfigurationId: http-errors
                    from:
                      uri: platform-http:/probe
                      steps:
                        - bean:
                            ref: auth
                            method: authenticate
                        - setBody:
                            constant: "{}"
                """);
        try {
            assertTrue(service.runtime.deployer().deploy(file));
            assertEquals(401, service.send("GET", "/probe", null, null).statusCode());
            assertEquals(403, service.send("GET", "/probe", adminKey, null).statusCode(), "no declared scope: not any key's");
            assertEquals(200, service.send("GET", "/probe", RuntimeHarness.OPERATOR_KEY, null).statusCode());
        } finally {
            Files.delete(file);
            service.runtime.deployer().undeploy(file);
        }
    }
}
