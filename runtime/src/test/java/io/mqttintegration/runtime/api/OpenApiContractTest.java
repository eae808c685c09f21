package io.mqttintegration.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.runtime.ShippedRoutes;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.RestDefinition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API's contract: the OpenAPI document served at {@code GET /api/v1/openapi.json} is valid
 * (swagger-parser reads it without a message), describes every REST operation of the route files,
 * and every operation answers as it describes: each status a request gets is one the operation
 * documents, each error body has the documented shape, and each operation's success answer is seen.
 */
class OpenApiContractTest {

    @TempDir
    static Path work;
    static DataSource db;
    static RuntimeHarness service;
    static MosquittoBroker broker;
    static String body;
    static OpenAPI api;
    /** Every documented operation ("GET /api/v1/integrations/{id}") and the statuses it documents. */
    static final Map<String, Set<String>> documented = new LinkedHashMap<>();
    /** The statuses seen per operation, by this test's requests. */
    static final Map<String, Set<String>> seen = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.newDatabase();
        broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of("svc", "broker-pw"));
        // One request without a key per operation: more than the shipped 30 a minute from one address.
        service = RuntimeHarness.start(db, work, Map.of("security.authFailuresPerMinute", "1000"));
        HttpResponse<String> doc = service.send("GET", "/api/v1/openapi.json", null, null);
        assertEquals(200, doc.statusCode(), doc.body());
        assertTrue(doc.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                doc.headers().toString());
        body = doc.body();
        java.nio.file.Files.writeString(Path.of("target/openapi.json"), body);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(body, null, options);
        System.out.println("swagger-parser messages on /api/v1/openapi.json: " + parsed.getMessages());
        assertTrue(parsed.getMessages() == null || parsed.getMessages().isEmpty(), String.valueOf(parsed.getMessages()));
        api = parsed.getOpenAPI();
        assertNotNull(api);
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> documented.put(
                method + " " + path, new TreeSet<>(op.getResponses().keySet()))));
        System.out.println("OpenAPI " + api.getOpenapi() + ", " + documented.size() + " operations");
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theDocumentDescribesEveryRestOperationOfTheRouteFiles() {
        Model model = service.runtime.camelContext().getCamelContextExtension().getContextPlugin(Model.class);
        Set<String> declared = new TreeSet<>();
        for (RestDefinition rest : model.getRestDefinitions()) {
            rest.getVerbs().forEach(v -> declared.add(v.asVerb().toUpperCase() + " " + rest.getPath().replaceAll("/$", "")
                    + (v.getPath() == null ? "" : "/" + v.getPath().replaceAll("^/", ""))));
        }
        assertEquals(declared, new TreeSet<>(documented.keySet()));
        assertEquals(ShippedRoutes.restOperations(), documented.size(), "every operation of the shipped route files: " + documented.keySet());
    }

    @Test
    void theDevicesOperationsAreListedWithScopeReadAModelAndAnExample() {
        for (String path : List.of("/api/v1/devices", "/api/v1/devices/{id}")) {
            PathItem item = api.getPaths().get(path);
            assertNotNull(item, path + " is in the document");
            Operation get = item.getGet();
            assertEquals(List.of("read"), get.getSecurity().get(0).get("bearer"), path);
            var ok = get.getResponses().get("200").getContent().get("application/json");
            assertNotNull(ok.getSchema().get$ref(), path + " names its answer's model");
            assertTrue(ok.getExamples() != null && !ok.getExamples().isEmpty(), path + " has an example");
            assertTrue(get.getResponses().containsKey("400") && get.getResponses().containsKey("404"), path);
        }
    }

    @Test
    void everyOperationNamesItsScopeItsErrorsAndItsPathParameters() {
        assertNotNull(api.getComponents().getSecuritySchemes().get("bearer"), "the bearer scheme");
        assertNotNull(api.getComponents().getSchemas().get("ErrorBody"), "the error body's schema");
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            String name = method + " " + path;
            assertNotNull(op.getOperationId(), name);
            assertEquals(1, op.getSecurity().size(), name);
            List<String> scopes = op.getSecurity().get(0).get("bearer");
            assertNotNull(scopes, name + " names the bearer scheme");
            assertEquals(1, scopes.size(), name);
            assertTrue(Set.of("admin", "read", "operator").contains(scopes.get(0)), name + ": " + scopes);
            for (String code : List.of("401", "403", "429", "500")) {
                ApiResponse response = op.getResponses().get(code);
                assertNotNull(response, name + " documents " + code);
                assertTrue(refersToErrorBody(response), name + " " + code + " has the error body");
            }
            op.getResponses().forEach((code, response) -> {
                if (code.compareTo("400") >= 0) {
                    assertEquals(Set.of("application/json"), response.getContent().keySet(), name + " " + code + ": errors are JSON");
                }
            });
            assertTrue(op.getResponses().keySet().stream().anyMatch(c -> c.startsWith("2")), name + " documents its success");
            for (String param : pathParameters(path)) {
                assertTrue(op.getParameters() != null && op.getParameters().stream()
                        .anyMatch(p -> p.getName().equals(param) && "path".equals(p.getIn()) && Boolean.TRUE.equals(p.getRequired())),
                        name + " documents its path parameter " + param);
            }
        }));
    }

    @Test
    void everyOperationAnswersAsDocumented() throws Exception {
        String none = UUID.randomUUID().toString();
        // Without a key: 401 everywhere; with a key lacking the scope: 403.
        String org = json(call("POST", "/api/v1/organizations", op(), "{\"name\":\"contract\"}")).path("id").asText();
        String readKey = json(call("POST", "/api/v1/organizations/{orgId}/api-keys", "/api/v1/organizations/" + org + "/api-keys",
                op(), "{\"name\":\"reader\",\"scopes\":[\"read\"]}")).path("key").asText();
        String ingestKey = json(call("POST", "/api/v1/organizations/{orgId}/api-keys", "/api/v1/organizations/" + org + "/api-keys",
                op(), "{\"name\":\"ingest\",\"scopes\":[\"ingest\"]}")).path("key").asText();
        for (String operation : documented.keySet()) {
            String method = operation.substring(0, operation.indexOf(' '));
            String template = operation.substring(operation.indexOf(' ') + 1);
            String path = template.replaceAll("\\{[^}]+}", none);
            String requestBody = Set.of("POST", "PATCH").contains(method) ? "{}" : null;
            assertEquals(401, call(method, template, path, null, requestBody).statusCode(), operation);
            String scope = scopeOf(operation);
            String lacking = scope.equals("read") ? ingestKey : readKey;
            assertEquals(403, call(method, template, path, lacking, requestBody).statusCode(), operation);
            // The operator key and ids that do not exist: a documented error, never a 500.
            HttpResponse<String> missing = call(method, template, path + (template.startsWith("/api/v1/integrations")
                    || !template.startsWith("/api/v1/organizations") ? "?organizationId=" + org : ""), op(), requestBody);
            assertTrue(missing.statusCode() < 500, operation + ": " + missing.statusCode() + " " + missing.body());
        }

        // Each operation's success, in the order a platform would use them.
        String admin = json(call("POST", "/api/v1/organizations/{orgId}/api-keys", "/api/v1/organizations/" + org + "/api-keys",
                op(), "{\"name\":\"admin\",\"scopes\":[\"admin\"]}")).path("key").asText();
        String orgKeyId = json(call("POST", "/api/v1/organizations/{orgId}/api-keys", "/api/v1/organizations/" + org + "/api-keys",
                admin, "{\"name\":\"spare\",\"scopes\":[\"read\"]}")).path("id").asText();
        call("GET", "/api/v1/organizations", op(), null);
        call("GET", "/api/v1/organizations/{orgId}/api-keys", "/api/v1/organizations/" + org + "/api-keys", admin, null);
        call("DELETE", "/api/v1/organizations/{orgId}/api-keys/{keyId}", "/api/v1/organizations/" + org + "/api-keys/" + orgKeyId,
                admin, null);
        call("GET", "/api/v1/organizations/{orgId}/quotas", "/api/v1/organizations/" + org + "/quotas", admin, null);
        call("PATCH", "/api/v1/organizations/{orgId}/quotas", "/api/v1/organizations/" + org + "/quotas", op(),
                "{\"integrations\":50}");
        call("GET", "/api/v1/organizations/{orgId}/retention", "/api/v1/organizations/" + org + "/retention", admin, null);
        call("PATCH", "/api/v1/organizations/{orgId}/retention", "/api/v1/organizations/" + org + "/retention", op(),
                "{\"retentionDays\":30}");
        call("PATCH", "/api/v1/organizations/{orgId}/retention", "/api/v1/organizations/" + org + "/retention", op(),
                "{\"retentionDays\":-1}");
        String id = json(call("POST", "/api/v1/integrations", admin, "{\"name\":\"contract broker\",\"type\":\"mqtt\","
                + "\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + broker.port() + ",\"username\":\"svc\","
                + "\"password\":\"broker-pw\",\"topics\":[\"contract/#\"]}}")).path("id").asText();
        String integration = "/api/v1/integrations/" + id;
        call("GET", "/api/v1/integrations", admin, null);
        call("GET", "/api/v1/integrations/{id}", integration, admin, null);
        call("PATCH", "/api/v1/integrations/{id}", integration, admin, "{\"name\":\"contract broker 2\"}");
        call("POST", "/api/v1/integrations/{id}/test", integration + "/test", admin, null);
        call("POST", "/api/v1/integrations/{id}/publish", integration + "/publish", admin,
                "{\"topic\":\"contract/a\",\"payload\":\"{\\\"t\\\":1}\"}");
        // To a hosted device: outside the namespace of the integration's devices 403; inside, 503 here
        // (this harness runs no hosted broker; HostedCommandsTest publishes through one).
        call("POST", "/api/v1/integrations/{id}/publish", integration + "/publish", admin,
                "{\"hosted\":true,\"topic\":\"contract/a\",\"payload\":1}");
        String device = json(call("POST", "/api/v1/integrations/{id}/credentials", integration + "/credentials", admin, null))
                .path("username").asText();
        assertEquals(503, call("POST", "/api/v1/integrations/{id}/publish", integration + "/publish", admin,
                "{\"hosted\":true,\"topic\":\"devices/" + device + "/commands/x\",\"payload\":1}").statusCode());
        call("POST", "/api/v1/integrations/{id}/subscribe", integration + "/subscribe", admin, "{}");
        call("DELETE", "/api/v1/integrations/{id}/subscribe", integration + "/subscribe", admin, null);
        call("GET", "/api/v1/integrations/{id}/activity", integration + "/activity", admin, null);
        String credential = json(call("POST", "/api/v1/integrations/{id}/credentials", integration + "/credentials", admin, null))
                .path("id").asText();
        call("GET", "/api/v1/integrations/{id}/credentials", integration + "/credentials", admin, null);
        call("DELETE", "/api/v1/integrations/{id}/credentials/{credentialId}", integration + "/credentials/" + credential, admin, null);
        // A webhook sink to a closed port on loopback (allowed here as the test brokers are): its test answers 200, ok false.
        String sinks = integration + "/sinks";
        String sink = sinks + "/" + json(call("POST", "/api/v1/integrations/{id}/sinks", sinks, admin, "{\"name\":\"contract sink\","
                + "\"kind\":\"webhook\",\"paused\":true,\"settings\":{\"url\":\"http://127.0.0.1:" + RuntimeHarness.freePort()
                + "/hook\"}}")).path("id").asText();
        call("GET", "/api/v1/integrations/{id}/sinks", sinks, admin, null);
        call("GET", "/api/v1/integrations/{id}/sinks/{sinkId}", sink, admin, null);
        call("PATCH", "/api/v1/integrations/{id}/sinks/{sinkId}", sink, admin, "{\"maxAttempts\":3}");
        call("POST", "/api/v1/integrations/{id}/sinks/{sinkId}/resume", sink + "/resume", admin, null);
        call("POST", "/api/v1/integrations/{id}/sinks/{sinkId}/pause", sink + "/pause", admin, null);
        call("POST", "/api/v1/integrations/{id}/sinks/{sinkId}/test", sink + "/test", admin, null);
        call("POST", "/api/v1/integrations/{id}/sinks/{sinkId}/rotate-secret", sink + "/rotate-secret", admin, null);
        call("GET", "/api/v1/integrations/{id}/sinks/{sinkId}/dead-letters", sink + "/dead-letters", admin, null);
        call("POST", "/api/v1/integrations/{id}/sinks/{sinkId}/dead-letters/replay", sink + "/dead-letters/replay", admin, "{}");
        call("DELETE", "/api/v1/integrations/{id}/sinks/{sinkId}", sink, admin, null);
        String from = Instant.now().minusSeconds(3600).toString();
        String to = Instant.now().plusSeconds(60).toString();
        call("GET", "/api/v1/telemetry", "/api/v1/telemetry?integrationId=" + id, admin, null);
        call("GET", "/api/v1/telemetry/latest", "/api/v1/telemetry/latest?integrationId=" + id, admin, null);
        call("GET", "/api/v1/telemetry/aggregate", "/api/v1/telemetry/aggregate?metric=t&from=" + from + "&to=" + to, admin, null);
        call("GET", "/api/v1/messages", "/api/v1/messages?integrationId=" + id, admin, null);
        String export = "/api/v1/telemetry/export?integrationId=" + id + "&from=" + from + "&to=" + to;
        assertTrue(call("GET", "/api/v1/telemetry/export", export, admin, null).body().startsWith("deviceId,timestamp,"), "CSV");
        call("GET", "/api/v1/telemetry/export", export + "&what=messages&format=ndjson", admin, null);
        call("GET", "/api/v1/telemetry/export", export + "&format=xml", admin, null);
        call("GET", "/api/v1/telemetry/export", export.replace(id, none), admin, null);
        // A device as presence keeps it (written here as the presence engine would, as the operator).
        String deviceRow = UUID.randomUUID().toString();
        try (java.sql.Connection c = db.getConnection(); java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SELECT set_config('mqi.operator', 'on', true)");
            st.execute("INSERT INTO device_presence (id, organization_id, integration_id, device_id, state, since, reason, last_seen,"
                    + " last_source) VALUES ('" + deviceRow + "', '" + org + "', '" + id + "', 'contract-device', 'online', now(),"
                    + " 'message', now(), 'http')");
            c.commit();
        }
        call("GET", "/api/v1/devices", "/api/v1/devices?integrationId=" + id + "&state=online&limit=10", admin, null);
        call("GET", "/api/v1/devices", "/api/v1/devices?state=asleep", admin, null);
        call("GET", "/api/v1/devices/{id}", "/api/v1/devices/" + deviceRow, admin, null);
        call("GET", "/api/v1/devices/{id}", "/api/v1/devices/" + deviceRow + "?limit=0", admin, null);
        call("POST", "/api/v1/integrations/{id}/parsers/test", integration + "/parsers/test", admin,
                "{\"topic\":\"contract/d1\",\"payload\":\"{\\\"t\\\":1}\"}");
        call("GET", "/api/v1/route-files", op(), null);
        // The live stream ends only when its client leaves: its first bytes are read, then it is closed.
        HttpResponse<java.io.InputStream> live = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(service.uri(integration + "/live")).header("Authorization", "Bearer " + admin).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream events = live.body()) {
            assertEquals(200, live.statusCode());
            assertTrue(live.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), live.headers().map().toString());
            assertTrue(events.read() >= 0, "the stream starts at once");
        }
        seen.computeIfAbsent("GET /api/v1/integrations/{id}/live", k -> new TreeSet<>()).add("200");
        // An ingestion dead letter as the pipeline keeps one (written here as the operator), then replayed.
        String deadLetter = UUID.randomUUID().toString();
        try (java.sql.Connection c = db.getConnection(); java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SELECT set_config('mqi.operator', 'on', true)");
            st.execute("INSERT INTO dead_letters (id, message_id, organization_id, integration_id, source, topic, payload, reason, route_id)"
                    + " VALUES ('" + deadLetter + "', gen_random_uuid(), '" + org + "', '" + id + "', 'http', 'contract/d2',"
                    + " convert_to('{\"t\":2}', 'UTF8'), 'contract', 'ingest-pipeline')");
            c.commit();
        }
        call("GET", "/api/v1/dead-letters", "/api/v1/dead-letters?integrationId=" + id, admin, null);
        call("POST", "/api/v1/dead-letters/{id}/replay", "/api/v1/dead-letters/" + deadLetter + "/replay", admin, null);
        call("DELETE", "/api/v1/integrations/{id}", integration, admin, null);

        List<String> unseen = new ArrayList<>();
        documented.forEach((operation, codes) -> {
            Set<String> statuses = seen.getOrDefault(operation, Set.of());
            if (statuses.stream().noneMatch(s -> s.startsWith("2"))) {
                unseen.add(operation + " " + statuses);
            }
        });
        System.out.println("statuses seen per operation: " + seen);
        assertTrue(unseen.isEmpty(), "operations whose success was not seen: " + unseen);
    }

    /** Sends the request, and checks the answer against the operation's description. */
    private static HttpResponse<String> call(String method, String path, String key, String requestBody) throws Exception {
        return call(method, path, path, key, requestBody);
    }

    private static HttpResponse<String> call(String method, String template, String path, String key, String requestBody)
            throws Exception {
        String operation = method + " " + template;
        Set<String> codes = documented.get(operation);
        assertNotNull(codes, operation + " is documented");
        HttpResponse<String> response = service.send(method, path, key, requestBody);
        String status = Integer.toString(response.statusCode());
        seen.computeIfAbsent(operation, k -> new TreeSet<>()).add(status);
        assertTrue(codes.contains(status), operation + " answered " + status + ", documents " + codes + ": " + response.body());
        if (response.statusCode() < 300) {
            // A request that succeeded without a query parameter shows it is not required.
            Set<String> sent = new TreeSet<>();
            if (path.contains("?")) {
                for (String pair : path.substring(path.indexOf('?') + 1).split("&")) {
                    sent.add(pair.replaceAll("=.*", ""));
                }
            }
            Operation op = api.getPaths().get(template).readOperationsMap().get(PathItem.HttpMethod.valueOf(method));
            if (op.getParameters() != null) {
                op.getParameters().stream().filter(p -> "query".equals(p.getIn()) && Boolean.TRUE.equals(p.getRequired()))
                        .forEach(p -> assertTrue(sent.contains(p.getName()), operation + " succeeded without " + p.getName()
                                + ", which it documents as required"));
            }
        }
        if (response.statusCode() >= 400) {
            JsonNode error = json(response);
            assertTrue(error.path("error").isTextual() && error.path("detail").isTextual(), operation + ": " + response.body());
        } else if (response.statusCode() != 204) {
            String type = response.headers().firstValue("Content-Type").orElse("");
            Set<String> mediaTypes = documentedMediaTypes(operation, status);
            if (mediaTypes.contains("application/json") || mediaTypes.isEmpty()) {
                assertTrue(type.startsWith("application/json"), operation + ": " + type);
                json(response);
            } else {
                // An operation that documents other media types (the export: CSV, NDJSON) answers with one of them.
                String mediaType = type.replaceAll(";.*", "").trim();
                assertTrue(mediaTypes.contains(mediaType), operation + " answered " + type + ", documents " + mediaTypes);
                if (mediaType.equals("application/x-ndjson")) {
                    for (String line : response.body().split("\n")) {
                        if (!line.isEmpty()) {
                            json(line);
                        }
                    }
                } else if (mediaType.equals("text/csv")) {
                    assertTrue(response.body().endsWith("\r\n"), operation + ": CSV lines end in CRLF");
                } else {
                    throw new AssertionError(operation + ": no check for " + mediaType);
                }
            }
        }
        return response;
    }

    /** The media types the document lists for an operation's response. */
    private static Set<String> documentedMediaTypes(String operation, String status) {
        String method = operation.substring(0, operation.indexOf(' '));
        Operation op = api.getPaths().get(operation.substring(operation.indexOf(' ') + 1))
                .readOperationsMap().get(PathItem.HttpMethod.valueOf(method));
        ApiResponse response = op.getResponses().get(status);
        return response == null || response.getContent() == null ? Set.of() : new TreeSet<>(response.getContent().keySet());
    }

    private static String op() {
        return RuntimeHarness.OPERATOR_KEY;
    }

    private static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    private static JsonNode json(String body) {
        try {
            return Json.strict().readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private static String scopeOf(String operation) {
        String method = operation.substring(0, operation.indexOf(' '));
        Operation op = api.getPaths().get(operation.substring(operation.indexOf(' ') + 1))
                .readOperationsMap().get(PathItem.HttpMethod.valueOf(method));
        return op.getSecurity().get(0).get("bearer").get(0);
    }

    private static List<String> pathParameters(String path) {
        List<String> names = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(path);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    @SuppressWarnings("rawtypes")
    private static boolean refersToErrorBody(ApiResponse response) {
        if (response.getContent() == null) {
            return false;
        }
        return response.getContent().values().stream().anyMatch(media -> {
            Schema schema = media.getSchema();
            return schema != null && (String.valueOf(schema.get$ref()).endsWith("/ErrorBody")
                    || (schema.getProperties() != null && schema.getProperties().containsKey("error")));
        });
    }

    @Test
    void theDocumentNeedsNoKeyAndDescribesTheService() throws Exception {
        assertEquals("mqtt-integration API", api.getInfo().getTitle());
        assertEquals("http://127.0.0.1:" + service.runtime.httpPort(), api.getServers().get(0).getUrl(),
                "the server URL the client used");
        HttpResponse<String> proxied = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(service.uri("/api/v1/openapi.json")).header("X-Forwarded-Host", "api.example.com")
                .header("X-Forwarded-Proto", "https").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("https://api.example.com", json(proxied).at("/servers/0/url").asText(), proxied.body().substring(0, 400));
        assertFalse(body.contains("Exception"), body);
    }
}
