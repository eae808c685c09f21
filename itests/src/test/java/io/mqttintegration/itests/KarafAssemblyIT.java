package io.mqttintegration.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the built Karaf assembly as a real process against a real PostgreSQL: the operator key it
 * generates, tenants, keys and an integration through the API, ingestion into PostgreSQL, the
 * activity log, route files edited live, and a clean stop.
 *
 * <p>One Karaf for the class (a boot takes seconds), one test per capability, in order: a test that
 * fails names what failed, and those that need what it would have made are skipped (assumptions
 * naming the test they depend on) rather than failing in its place.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KarafAssemblyIT {

    @TempDir
    static Path work;
    DataSource db;
    KarafProcess karaf;
    MosquittoBroker broker;
    String operator;

    // What the tests before have made, for the tests after.
    String admin;
    String integration;
    String gateway;
    boolean ingested;
    boolean parserUsed;
    String brokerIntegration;
    boolean published;
    boolean subscribed;

    @BeforeAll
    void boot() throws Exception {
        EmbeddedDatabase postgres = TestDatabase.server();
        Map<String, String> env = new java.util.HashMap<>(KarafProcess.databaseEnv(postgres, "mqi_e2e", "e2e-secret"));
        // The test's Mosquitto listens on 127.0.0.1, which the shipped configuration refuses.
        env.put("MQI_ALLOW_PRIVATE_TARGETS", "true");
        postgres.requirePassword("mqi_e2e"); // MQI_DB_PASSWORD reaches pgjdbc through bin/setenv's pgpass file
        db = postgres.dataSource("mqi_e2e");

        karaf = new KarafProcess(Path.of(System.getProperty("mqi.karaf.dir")), work, env);
        karaf.start();
        Duration boot = karaf.awaitHealthy(KarafProcess.BOOT_TIMEOUT);
        System.out.printf("E2E: Karaf healthy %d ms after start (pid %d, HTTP port %d from MQI_HTTP_PORT)%n",
                boot.toMillis(), karaf.pid(), karaf.httpPort);
        operator = Files.readString(karaf.home.resolve("data/operator.key")).trim();
    }

    @AfterAll
    void stop() throws Exception {
        if (karaf != null) {
            karaf.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    @Order(1)
    void theFirstStartGeneratesAnOperatorKeyOnlyItsOwnerReads() throws Exception {
        // No operator key configured: the first start generated one, written once, owner-only.
        Path keyFile = karaf.home.resolve("data/operator.key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
    }

    @Test
    @Order(2)
    void healthShowsTheDatabaseAndEveryShippedRouteRunning() throws Exception {
        assertEquals("{\"status\":\"up\"}", karaf.get("/health").body(), "without the operator key only the status");
        JsonNode health = Json.strict().readTree(karaf.send("GET", "/health", operator, null).body());
        assertEquals("up", health.path("database").path("status").asText(), "the pax-jdbc DataSource reaches PostgreSQL");
        assertEquals(routeFiles().routeIds().size(), health.path("routes").size(), "the shipped routes run: " + health);
    }

    @Test
    @Order(3)
    void theOpenApiDocumentDescribesEveryRestOperation() throws Exception {
        // The OpenAPI document is generated inside the bundle (camel-openapi-java embedded).
        HttpResponse<String> openapi = karaf.get("/api/v1/openapi.json");
        assertEquals(200, openapi.statusCode(), openapi.body());
        JsonNode doc = Json.strict().readTree(openapi.body());
        assertEquals(routeFiles().restOperations(), doc.path("paths").properties().stream().mapToInt(p -> p.getValue().size()).sum(),
                "every REST operation is described: " + doc.path("paths"));
    }

    @Test
    @Order(3)
    void theConsoleSwaggerUiAndASessionWorkInsideTheBundle() throws Exception {
        // The pages and the WebJars are read from the bundle's class path (its embedded jars) inside Karaf.
        for (String path : new String[] {"/console/", "/console/lib/uplot/uPlot.iife.min.js", "/api/docs/",
                "/api/docs/swagger-ui-bundle.js", "/api/docs/swagger-initializer.js"}) {
            HttpResponse<String> r = karaf.get(path);
            assertEquals(200, r.statusCode(), path + ": " + r.body());
            assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").startsWith("default-src 'self'"), path);
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), path);
        }
        assertEquals(404, karaf.get("/console/nothing.js").statusCode());
        // A session made from the operator key answers like the key.
        HttpResponse<String> signIn = karaf.send("POST", "/api/v1/session", null, "{\"key\":\"" + operator + "\"}");
        assertEquals(201, signIn.statusCode(), signIn.body());
        String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
        HttpResponse<String> health = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                signIn.uri().resolve("/api/v1/route-files")).header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("console.camel.yaml"), health.body());
    }

    @Test
    @Order(4)
    void flywayAppliedEveryMigrationInsideTheBundle() throws Exception {
        assertEquals(Integer.toString(latestMigration()), query(db, "SELECT max(version::int) FROM flyway_schema_history WHERE success"),
                "Flyway applied the migrations inside the bundle");
    }

    @Test
    @Order(5)
    void aTenantItsKeysAndAnIntegrationThroughTheApiWithTheBrokerPasswordSealed() throws Exception {
        String org = field(karaf.send("POST", "/api/v1/organizations", operator, "{\"name\":\"e2e\"}"), "id");
        admin = field(karaf.send("POST", "/api/v1/organizations/" + org + "/api-keys", operator,
                "{\"name\":\"admin\",\"scopes\":[\"admin\"]}"), "key");
        integration = field(karaf.send("POST", "/api/v1/integrations", admin,
                "{\"name\":\"plant\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.e2e\",\"password\":\"e2e-broker-pw\"}}"),
                "id");
        gateway = field(karaf.send("POST", "/api/v1/organizations/" + org + "/api-keys", admin,
                "{\"name\":\"gateway\",\"scopes\":[\"ingest\"],\"integrationId\":\"" + integration + "\"}"), "key");
        HttpResponse<String> renamed = karaf.send("PATCH", "/api/v1/integrations/" + integration, admin, "{\"name\":\"plant 1\"}");
        assertEquals(200, renamed.statusCode(), renamed.body());
        assertTrue(renamed.body().contains("\"password\":\"********\""), renamed.body());
        assertFalse(query(db, "SELECT encode(secrets, 'escape') FROM integrations").contains("e2e-broker-pw"),
                "the broker password is sealed in the database");
    }

    @Test
    @Order(6)
    void ingestionAnswers202OnlyOnceTheRowsAreCommitted() throws Exception {
        assumeTenant();
        HttpResponse<String> one = karaf.send("POST", "/api/v1/ingest", gateway,
                "{\"topic\":\"e2e/devices/d-1/telemetry\",\"payload\":{\"temp\":21.5,\"ts\":1764151200}}");
        assertEquals(202, one.statusCode(), one.body());
        HttpResponse<String> many = karaf.send("POST", "/api/v1/ingest", gateway,
                "[{\"topic\":\"e2e/devices/d-2/telemetry\",\"payload\":{\"rh\":40}},"
                        + "{\"topic\":\"e2e/devices/d-3/telemetry\",\"payload\":{\"rh\":41}}]");
        assertEquals("{\"accepted\":2}", many.body());
        // 202 only once committed, so the rows are there when the answer comes.
        assertEquals("d-1,d-2,d-3", query(db,
                "SELECT string_agg(device_id, ',' ORDER BY device_id) FROM mqtt_messages WHERE integration_id = '"
                        + integration + "'"));
        assertEquals("2025-11-26 10:00:00", query(db,
                "SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM mqtt_messages WHERE device_id = 'd-1'"));
        ingested = true;
    }

    @Test
    @Order(7)
    void theExportStreamsNdjsonOldestFirstAndEndsItsTransaction() throws Exception {
        assumeTrue(ingested, "needs the rows of ingestionAnswers202OnlyOnceTheRowsAreCommitted");
        // The streamed export inside the bundle: NDJSON, oldest first, and its pooled connection's transaction ends.
        HttpResponse<String> export = karaf.send("GET", "/api/v1/telemetry/export?integrationId=" + integration + "&format=ndjson"
                + "&from=" + java.time.Instant.now().minusSeconds(3600) + "&to=" + java.time.Instant.now().plusSeconds(3600), admin, null);
        assertEquals(200, export.statusCode(), export.body());
        assertEquals("application/x-ndjson", export.headers().firstValue("Content-Type").orElse(""));
        assertEquals(3, export.body().split("\n").length, export.body());
        assertEquals("d-1", Json.strict().readTree(export.body().split("\n")[0]).path("deviceId").asText(), export.body());
        assertEquals("0", query(db, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '-- telemetry-export%'"
                + " AND state <> 'idle'"), "the export's transaction ended; its connection is back in the pool");
    }

    @Test
    @Order(8)
    void ingestionRefusesARequestWithoutAKeyAndMalformedJson() throws Exception {
        assumeTenant();
        assertEquals(401, karaf.send("POST", "/api/v1/ingest", null, "{\"topic\":\"t\",\"payload\":1}").statusCode());
        HttpResponse<String> bad = karaf.send("POST", "/api/v1/ingest", gateway, "{\"topic\":");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().startsWith("{\"error\":\"malformed_json\""), bad.body());
    }

    @Test
    @Order(9)
    void aParserFileWrittenAtRunTimeAndTheShippedExampleParseTheReadingsQueried() throws Exception {
        assumeTenant();
        Files.writeString(karaf.home.resolve("parsers/e2e-pipe.parser.yaml"),
                "name: e2e-pipe\nformat: csv\nseparator: \"|\"\ncolumns: [deviceId, timestamp, level]\n");
        karaf.awaitResponse("/health", Duration.ofSeconds(10), r -> true);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> useParser;
        do {
            Thread.sleep(200);
            useParser = karaf.send("PATCH", "/api/v1/integrations/" + integration, admin,
                    "{\"settings\":{\"parser\":\"e2e-pipe\",\"parsers\":[{\"topic\":\"vendor/#\",\"parser\":\"vendor-nested\"}]}}");
        } while (useParser.statusCode() == 400 && System.nanoTime() < deadline);
        assertEquals(200, useParser.statusCode(), "the parser file was loaded: " + useParser.body());
        parserUsed = true;
        assertEquals(202, karaf.send("POST", "/api/v1/ingest", gateway,
                "[{\"topic\":\"tanks/in\",\"payload\":\"tank-7|2026-11-26T10:00:00Z|81.5\"},"
                        + "{\"topic\":\"vendor/x\",\"payload\":{\"dev\":{\"sn\":\"A17\"},\"data\":[{\"k\":\"temp\",\"v\":21.5,\"t\":1700000000}]}}]")
                .statusCode());
        JsonNode tank = Json.strict().readTree(karaf.send("GET", "/api/v1/telemetry?deviceId=tank-7", admin, null).body());
        assertEquals("{\"level\":81.5}", tank.path("items").get(0).path("metrics").toString(), tank.toString());
        assertEquals("2026-11-26T10:00:00Z", tank.path("items").get(0).path("timestamp").asText());
        JsonNode vendor = Json.strict().readTree(karaf.send("GET", "/api/v1/telemetry/latest?deviceId=A17", admin, null).body());
        assertEquals("{\"temp\":21.5,\"vendor\":\"acme\"}", vendor.path("items").get(0).path("metrics").toString(),
                "the shipped vendor-nested example, chosen by topic: " + vendor);
    }

    @Test
    @Order(10)
    void theActivityLogListsTheIntegrationsChangesNewestFirst() throws Exception {
        assumeTrue(parserUsed, "needs the second change, by aParserFileWrittenAtRunTimeAndTheShippedExampleParseTheReadingsQueried");
        JsonNode activity = Json.strict().readTree(
                karaf.send("GET", "/api/v1/integrations/" + integration + "/activity", admin, null).body());
        List<String> actions = new ArrayList<>();
        activity.path("items").forEach(e -> actions.add(e.path("action").asText()));
        assertEquals(List.of("integration.updated", "integration.updated", "integration.created"), actions);
    }

    @Test
    @Order(11)
    void theConnectionTestAndPublishingReachARealMosquitto() throws Exception {
        assumeTenant();
        // Publish through the real assembly (Paho embedded in the bundle) to a real Mosquitto.
        broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of());
        brokerIntegration = field(karaf.send("POST", "/api/v1/integrations", admin,
                "{\"name\":\"local broker\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + broker.port() + "}}"),
                "id");
        JsonNode tested = Json.strict().readTree(karaf.send("POST", "/api/v1/integrations/" + brokerIntegration + "/test",
                admin, null).body());
        assertTrue(tested.path("ok").asBoolean(), "connection test round trip: " + tested);
        Process sub = broker.subscribe("e2e/#", 1, 20, null, null);
        broker.subscribed("e2e/#");
        HttpResponse<String> published = karaf.send("POST", "/api/v1/integrations/" + brokerIntegration + "/publish",
                admin, "{\"topic\":\"e2e/devices/d1/cmd\",\"payload\":{\"on\":true},\"qos\":1}");
        assertEquals(200, published.statusCode(), published.body());
        assertTrue(sub.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "mosquitto_sub received the message");
        assertEquals("e2e/devices/d1/cmd {\"on\":true}", new String(sub.getInputStream().readAllBytes()).trim());
        this.published = true;
    }

    @Test
    @Order(12)
    void aPersistentSubscriptionStoresWhatTheBrokerSendsParsed() throws Exception {
        assumeTrue(published, "needs the broker integration, tested and published to, of theConnectionTestAndPublishingReachARealMosquitto");
        // A persistent subscription: a route from the shipped template, one MQTT 5 session.
        HttpResponse<String> subscribed = karaf.send("POST", "/api/v1/integrations/" + brokerIntegration + "/subscribe",
                admin, "{\"topics\":[\"e2e/devices/+/telemetry\"],\"qos\":1}");
        assertEquals(200, subscribed.statusCode(), subscribed.body());
        karaf.awaitResponse("/api/v1/integrations/" + brokerIntegration, admin, Duration.ofSeconds(30),
                r -> r.body().contains("\"state\":\"connected\""));
        this.subscribed = true;
        broker.subscribed("e2e/devices/+/telemetry");
        broker.publishLines("e2e/devices/d1/telemetry", List.of("{\"temperature\":19.5}"), 1, null, null);
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!"1".equals(query(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'mqtt' AND device_id = 'd1'"))
                && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        assertEquals("d1|{\"temperature\": 19.5}", query(db,
                "SELECT device_id || '|' || metrics::text FROM mqtt_messages WHERE source = 'mqtt'"),
                "the subscribed message is in mqtt_messages, parsed");
        JsonNode brokerActivity = Json.strict().readTree(karaf.send("GET", "/api/v1/integrations/" + brokerIntegration
                + "/activity", admin, null).body());
        List<String> steps = new ArrayList<>();
        brokerActivity.path("items").forEach(e -> steps.add(e.path("action").asText()));
        assertTrue(steps.containsAll(List.of("integration.created", "integration.tested", "integration.published",
                "integration.subscribed", "subscription.connected")), steps.toString());
    }

    @Test
    @Order(13)
    void deletingTheIntegrationClosesItsBrokerSession() throws Exception {
        assumeTrue(subscribed, "needs the connected subscription of aPersistentSubscriptionStoresWhatTheBrokerSendsParsed");
        assertEquals(204, karaf.send("DELETE", "/api/v1/integrations/" + brokerIntegration, admin, null).statusCode());
        String clientId = "mqi-" + brokerIntegration.replace("-", "").substring(0, 19);
        long closeBy = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!broker.log().contains("Client " + clientId + " disconnected") && System.nanoTime() < closeBy) {
            Thread.sleep(100);
        }
        assertTrue(broker.log().contains("Client " + clientId + " disconnected"), "deleting the integration closed its session");
    }

    @Test
    @Order(14)
    void routeFilesAreAddedChangedAndDeletedLiveAndABrokenEditKeepsTheLastGoodVersion() throws Exception {
        Path routeFile = karaf.home.resolve("routes/e2e-hello.camel.yaml");
        Files.writeString(routeFile, helloRoute("v1"));
        karaf.awaitResponse("/e2e/hello", Duration.ofSeconds(10), r -> r.body().equals("v1"));
        Files.writeString(routeFile, helloRoute("v2"));
        karaf.awaitResponse("/e2e/hello", Duration.ofSeconds(10), r -> r.body().equals("v2"));
        Files.writeString(routeFile, "- route: [not yaml");
        karaf.awaitResponse("/health", operator, Duration.ofSeconds(10), r -> r.body().contains("e2e-hello.camel.yaml")
                && r.body().contains("line 1"));
        assertEquals("v2", karaf.get("/e2e/hello").body(), "a broken edit leaves the last good routes running");
        Files.delete(routeFile);
        karaf.awaitResponse("/e2e/hello", Duration.ofSeconds(10), r -> r.statusCode() == 404);
    }

    @Test
    @Order(15)
    void karafStopsCleanly() throws Exception {
        assertEquals(0, karaf.stop(Duration.ofSeconds(60)), "Karaf stops cleanly");
    }

    private void assumeTenant() {
        assumeTrue(gateway != null, "needs the tenant, keys and integration of aTenantItsKeysAndAnIntegrationThroughTheApiWithTheBrokerPasswordSealed");
    }

    /** The route files of the assembly under test, as shipped (read before any test adds one). */
    private ShippedRouteFiles routeFiles() throws Exception {
        return new ShippedRouteFiles(Path.of(System.getProperty("mqi.karaf.dir")).resolve("routes"));
    }

    /** The version of the last migration the storage module ships (its list, which Flyway applies in order). */
    private static int latestMigration() throws Exception {
        try (InputStream index = KarafAssemblyIT.class.getClassLoader().getResourceAsStream("db/migration/migrations.idx")) {
            List<String> files = new String(index.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
            String last = files.get(files.size() - 1);
            return Integer.parseInt(last.substring(1, last.indexOf("__")));
        }
    }

    private static String field(HttpResponse<String> response, String name) throws Exception {
        return KarafProcess.field(response, name);
    }

    private static String helloRoute(String answer) {
        return """
                - route:
                    id: e2e-hello
                    from:
                      uri: platform-http:/e2e/hello
                      steps:
                        - setBody:
                            constant: "%s"
                """.formatted(answer);
    }

    private static String query(DataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
