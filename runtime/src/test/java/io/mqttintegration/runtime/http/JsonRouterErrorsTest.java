package io.mqttintegration.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The root router's own answers, over real HTTP: JSON always, and 503 rather than 404/500 while not serving. */
class JsonRouterErrorsTest {

    private Vertx vertx;
    private HttpServer server;
    private final AtomicBoolean serving = new AtomicBoolean();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.get("/fails").handler(ctx -> {
            throw new IllegalStateException("a route failing while the service stops");
        });
        JsonRouterErrors.install(router, 1000, serving::get);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void whileNotServingAMissingRouteOrAFailureIs503WithRetryAfter() throws Exception {
        for (String path : new String[] {"/api/v1/ingest", "/fails"}) {
            HttpResponse<String> r = get(path);
            assertEquals(503, r.statusCode(), path + ": " + r.body());
            assertEquals("1", r.headers().firstValue("Retry-After").orElse(""), path);
            assertTrue(r.body().contains("\"error\":\"unavailable\""), r.body());
        }
    }

    @Test
    void servingAMissingRouteIs404AndAFailure500WithoutAStackTrace() throws Exception {
        serving.set(true);
        HttpResponse<String> missing = get("/nowhere");
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("\"error\":\"not_found\""), missing.body());
        HttpResponse<String> failed = get("/fails");
        assertEquals(500, failed.statusCode());
        assertTrue(failed.body().contains("\"error\":\"internal_error\"") && !failed.body().contains("IllegalStateException"),
                failed.body());
    }
}
