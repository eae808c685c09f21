package io.mqttintegration.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the built Karaf assembly as a real process against a real PostgreSQL, ingests over HTTP,
 * checks the rows, edits route files live, and stops Karaf cleanly.
 */
class KarafAssemblyIT {

    @TempDir
    Path work;

    @Test
    void bootsIngestsReloadsRoutesAndStopsCleanly() throws Exception {
        EmbeddedDatabase postgres = TestDatabase.server();
        postgres.ensureDatabase("mqi_e2e", "mqi_e2e", "e2e-secret");
        DataSource db = postgres.dataSource("mqi_e2e");
        Map<String, String> env = Map.of(
                "MQI_DB_URL", postgres.jdbcUrl("mqi_e2e"),
                "MQI_DB_USER", "mqi_e2e",
                "MQI_DB_PASSWORD", "e2e-secret");

        try (KarafProcess karaf = new KarafProcess(Path.of(System.getProperty("mqi.karaf.dir")), work, env)) {
            karaf.start();
            Duration boot = karaf.awaitHealthy(Duration.ofSeconds(120));
            System.out.printf("E2E: Karaf healthy %d ms after start (pid %d, HTTP port %d from MQI_HTTP_PORT)%n",
                    boot.toMillis(), karaf.pid(), karaf.httpPort);

            JsonNode health = Json.strict().readTree(karaf.get("/health").body());
            assertEquals("up", health.path("database").path("status").asText(), "the pax-jdbc DataSource reaches PostgreSQL");
            assertEquals(4, health.path("routes").size(), "the shipped routes run: " + health);
            assertEquals("1", query(db, "SELECT max(version) FROM flyway_schema_history WHERE success"),
                    "Flyway applied the migrations inside the bundle");

            // Ingest: 202 only once committed, so the rows are there when the answer comes.
            HttpResponse<String> one = karaf.postJson("/api/v1/ingest",
                    "{\"topic\":\"e2e/devices/d-1/telemetry\",\"payload\":{\"temp\":21.5,\"ts\":1764151200}}");
            assertEquals(202, one.statusCode(), one.body());
            HttpResponse<String> many = karaf.postJson("/api/v1/ingest",
                    "[{\"topic\":\"e2e/devices/d-2/telemetry\",\"payload\":{\"rh\":40}},"
                            + "{\"topic\":\"e2e/devices/d-3/telemetry\",\"payload\":{\"rh\":41}}]");
            assertEquals(202, many.statusCode(), many.body());
            assertEquals("{\"accepted\":2}", many.body());
            assertEquals("d-1,d-2,d-3", query(db,
                    "SELECT string_agg(device_id, ',' ORDER BY device_id) FROM mqtt_messages WHERE topic LIKE 'e2e/%'"));
            assertEquals("2025-11-26 10:00:00", query(db,
                    "SELECT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM mqtt_messages WHERE device_id = 'd-1'"));

            HttpResponse<String> bad = karaf.postJson("/api/v1/ingest", "{\"topic\":");
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().startsWith("{\"error\":\"malformed_json\""), bad.body());

            // Live route files: add, change, break (the last good version keeps running), delete.
            Path routeFile = karaf.home.resolve("routes/e2e-hello.camel.yaml");
            Files.writeString(routeFile, helloRoute("v1"));
            karaf.awaitResponse("/e2e/hello", Duration.ofSeconds(10), r -> r.body().equals("v1"));
            Files.writeString(routeFile, helloRoute("v2"));
            karaf.awaitResponse("/e2e/hello", Duration.ofSeconds(10), r -> r.body().equals("v2"));
            Files.writeString(routeFile, "- route: [not yaml");
            karaf.awaitResponse("/health", Duration.ofSeconds(10), r -> r.body().contains("e2e-hello.camel.yaml")
                    && r.body().contains("line 1"));
            assertEquals("v2", karaf.get("/e2e/hello").body(), "a broken edit leaves the last good routes running");
            Files.delete(routeFile);
            karaf.awaitResponse("/e2e/hello", Duration.ofSeconds(10), r -> r.statusCode() == 404);

            assertEquals(0, karaf.stop(Duration.ofSeconds(60)), "Karaf stops cleanly");
        }
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
