package io.mqttintegration.runtime.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's files and Swagger UI from the running service: the pages, the WebJars, and the same
 * security headers on every answer, 404 included.
 */
class ConsoleFilesTest {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    @TempDir
    static Path work;
    static DataSource db;
    static RuntimeHarness service;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.newDatabase();
        service = RuntimeHarness.start(db, work, Map.of());
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    static HttpResponse<String> get(RuntimeHarness on, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(on.uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The headers every /console/ and /api/docs answer carries. */
    static void secured(HttpResponse<String> r) {
        String what = r.request().uri().getPath() + " " + r.statusCode();
        assertEquals(CSP, r.headers().firstValue("Content-Security-Policy").orElse(null), what);
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), what);
        assertEquals("no-referrer", r.headers().firstValue("Referrer-Policy").orElse(null), what);
        assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(null), what);
    }

    @Test
    void theConsoleIsServedWithItsLibraryAndStrictHeaders() throws Exception {
        HttpResponse<String> index = get(service, "/console/");
        assertEquals(200, index.statusCode(), index.body());
        assertTrue(index.headers().firstValue("Content-Type").orElse("").startsWith("text/html"), index.headers().map().toString());
        assertTrue(index.body().contains("<html"), index.body());
        secured(index);

        HttpResponse<String> bare = get(service, "/console");
        assertEquals(301, bare.statusCode());
        assertEquals("console/", bare.headers().firstValue("Location").orElse(null), "relative: works behind a path prefix");
        secured(bare);

        HttpResponse<String> uplot = get(service, "/console/lib/uplot/uPlot.iife.min.js");
        assertEquals(200, uplot.statusCode());
        assertTrue(uplot.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertTrue(uplot.body().contains("uPlot"), "the WebJar's file");
        secured(uplot);
        HttpResponse<String> css = get(service, "/console/lib/uplot/uPlot.min.css");
        assertEquals(200, css.statusCode());
        assertTrue(css.headers().firstValue("Content-Type").orElse("").startsWith("text/css"));
    }

    @Test
    void unknownFilesAndEscapesAre404JsonWithTheSameHeaders() throws Exception {
        for (String path : new String[] {"/console/nothing.js", "/console/lib/uplot/nothing.js", "/console/lib/uplot/",
                "/console/../routes/health.camel.yaml", "/console/%2e%2e/%2e%2e/pom.xml", "/console/..%2fapidocs/swagger-initializer.js",
                "/console/lib/uplot/../../../META-INF/MANIFEST.MF", "/consolex"}) {
            HttpResponse<String> r = get(service, path);
            assertTrue(r.statusCode() == 404 || r.statusCode() == 400, path + " " + r.statusCode() + " " + r.body());
            assertFalse(r.body().contains("<html") || r.body().contains("Manifest") || r.body().contains("route:"), path + " " + r.body());
            if (r.request().uri().getPath().startsWith("/console/") && r.statusCode() == 404 && !r.request().uri().getPath().contains("..")) {
                assertTrue(r.body().contains("\"error\":\"not_found\""), r.body());
                secured(r);
            }
        }
    }

    @Test
    void swaggerUiShowsTheServedDocumentFromFilesOnly() throws Exception {
        HttpResponse<String> bare = get(service, "/api/docs");
        assertEquals(301, bare.statusCode());
        assertEquals("docs/", bare.headers().firstValue("Location").orElse(null));
        secured(bare);

        HttpResponse<String> index = get(service, "/api/docs/");
        assertEquals(200, index.statusCode());
        assertTrue(index.body().contains("swagger-ui-bundle.js") && index.body().contains("swagger-initializer.js"), index.body());
        assertFalse(index.body().replaceAll("<script src=\"[^\"]+\" charset=\"UTF-8\"> </script>", "").contains("<script"),
                "no inline script: " + index.body());
        secured(index);

        HttpResponse<String> init = get(service, "/api/docs/swagger-initializer.js");
        assertEquals(200, init.statusCode());
        assertTrue(init.body().contains("v1/openapi.json"), "our document: " + init.body());
        assertFalse(init.body().contains("petstore"), "not the WebJar's sample: " + init.body());
        secured(init);

        for (String file : new String[] {"swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css", "index.css"}) {
            HttpResponse<String> r = get(service, "/api/docs/" + file);
            assertEquals(200, r.statusCode(), file);
            secured(r);
        }
        HttpResponse<String> document = get(service, "/api/v1/openapi.json");
        assertEquals(200, document.statusCode(), "the document Swagger UI loads");
    }

    @Test
    void withTheConsoleOffNothingOfItAnswers(@TempDir Path otherWork) throws Exception {
        try (RuntimeHarness off = RuntimeHarness.start(TestDatabase.newDatabase(), otherWork, Map.of("console.enabled", "false"))) {
            assertEquals(404, get(off, "/console/").statusCode());
            assertEquals(404, get(off, "/api/docs/").statusCode());
            HttpResponse<String> signIn = HTTP.send(HttpRequest.newBuilder(off.uri("/api/v1/session"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + RuntimeHarness.OPERATOR_KEY + "\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, signIn.statusCode(), signIn.body());
            assertEquals(401, HTTP.send(HttpRequest.newBuilder(off.uri("/api/v1/organizations")).header("Cookie", "mqi_session=x").build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "a cookie stands for nothing");
        }
    }
}
