package io.mqttintegration.runtime.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example route files of examples/routes (docs/architecture.md, "What an integrator's route file
 * may use") work as their comments say: each is copied into the running service's routes folder,
 * loaded by the same watcher and deployer as the shipped files, and answers against the real
 * PostgreSQL.
 */
class ExampleRoutesTest {

    @TempDir
    Path work;
    RuntimeHarness service;

    @BeforeEach
    void start() throws Exception {
        service = RuntimeHarness.start(TestDatabase.newDatabase(), work, Map.of());
    }

    @AfterEach
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    private static Path example(String name) {
        return Path.of(System.getProperty("mqi.routes.dir")).resolveSibling("examples/routes").resolve(name);
    }

    /** The migrations the storage module ships, in order (the list Flyway applies). */
    private static List<String> migrations() throws Exception {
        try (InputStream index = ExampleRoutesTest.class.getClassLoader().getResourceAsStream("db/migration/migrations.idx")) {
            return new String(index.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
        }
    }

    @Test
    void theJdbcExampleReadsPostgreSqlThroughTheBoundDataSource() throws Exception {
        Path file = Files.copy(example("schema-version.camel.yaml"), service.routesDir.resolve("schema-version.camel.yaml"));
        AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
        Awaitility.await("the example route answers").atMost(Duration.ofSeconds(15)).until(() -> {
            answer.set(service.send("GET", "/examples/schema-version", null, null));
            return answer.get().statusCode() == 200;
        });
        assertEquals(Map.of(), service.runtime.deployer().rejectedFiles(), "no route file refused");
        assertEquals("application/json", answer.get().headers().firstValue("Content-Type").orElse(""));

        List<String> shipped = migrations();
        String latest = shipped.get(shipped.size() - 1);
        int version = Integer.parseInt(latest.substring(1, latest.indexOf("__")));
        assertEquals(Json.strict().readTree("{\"migrations\":" + shipped.size() + ",\"version\":" + version + "}"),
                Json.strict().readTree(answer.get().body()), "what flyway_schema_history holds, read through jdbc:dataSource");

        Files.delete(file);
        Awaitility.await("the example route is gone with its file").atMost(Duration.ofSeconds(15))
                .until(() -> service.send("GET", "/examples/schema-version", null, null).statusCode() == 404);
    }
}
