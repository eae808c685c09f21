package io.mqttintegration.runtime.http;

import io.mqttintegration.runtime.config.HttpConfig;
import io.mqttintegration.runtime.internals.EventLoopHttpEngine;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Router;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server's wiring: its Vert.x (ours, not Camel's: Camel closes only one it made, so
 * {@link #close} closes it), the platform-http server added to the context, and the beans
 * {@code vertx}, {@code eventLoopHttp} and {@code httpErrors}.
 */
public final class HttpWiring implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpWiring.class);

    private final CamelContext context;
    private final HttpConfig http;
    private final Vertx vertx;
    private VertxPlatformHttpServer server;
    private int port;

    private HttpWiring(CamelContext context, HttpConfig http, Vertx vertx) {
        this.context = context;
        this.http = http;
        this.vertx = vertx;
    }

    /** Makes the Vert.x the server, the worker hops and the exports run on, and binds the HTTP beans. */
    public static HttpWiring wire(CamelContext context, HttpConfig http, int retryAfterSeconds) {
        // Routes on Camel's platform-http engine run each request on a Vert.x worker thread (the API's
        // database work): size them for the requests that may run at once. The HTTP server Camel makes
        // with this Vert.x carries the idle and request timeouts and the connection cap (HttpServerGuard).
        Vertx vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(http.workerThreads()));
        EventLoopHttpEngine eventLoopHttp = new EventLoopHttpEngine();
        eventLoopHttp.setCamelContext(context);
        context.getRegistry().bind("eventLoopHttp", eventLoopHttp);
        context.getRegistry().bind("httpErrors", new HttpErrors(retryAfterSeconds));
        context.getRegistry().bind("vertx", HttpServerGuard.guard(vertx,
                new HttpServerGuard.Limits(http.idleTimeoutSeconds(), http.requestTimeoutSeconds(), http.maxConnections())));
        return new HttpWiring(context, http, vertx);
    }

    public Vertx vertx() {
        return vertx;
    }

    /** The port the server is configured with; 0 until {@link #addServer}. */
    public int port() {
        return port;
    }

    /** Adds the platform-http server to the context, which starts it. */
    public void addServer() throws Exception {
        port = http.port();
        server = server(http);
        context.addService(server);
    }

    /**
     * After the context started: fails if the server is not listening, then answers what no route
     * does (503 until {@code serving}, then 404; JsonRouterErrors).
     */
    public void listening(BooleanSupplier serving) {
        if (server.getServer() == null || server.getServer().actualPort() <= 0) {
            throw new IllegalStateException("the HTTP API could not listen on " + http.host() + ":"
                    + http.port() + " (port in use?)");
        }
        if (server.getServer().requestHandler() instanceof Router root) {
            JsonRouterErrors.install(root, http.maxBodyBytes(), serving);
        }
    }

    /** Closes the Vert.x, waiting up to 10 s for its event loops and worker threads to end. */
    @Override
    public void close() {
        // Its event loops and worker threads outlived every stop before (a restart on a
        // configuration change leaked a Vert.x each time; the test JVM held 49 of them).
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Vert.x did not close within 10 s: {}", e.toString());
        }
    }

    private static VertxPlatformHttpServer server(HttpConfig http) {
        VertxPlatformHttpServerConfiguration server = new VertxPlatformHttpServerConfiguration();
        server.setBindHost(http.host());
        server.setBindPort(http.port());
        server.setMaxBodySize((long) http.maxBodyBytes());
        Path file = http.keyStore();
        if (file != null) {
            if (!Files.isReadable(file)) {
                throw new IllegalStateException("http.tls.keyStore " + file + " cannot be read");
            }
            KeyStoreParameters store = new KeyStoreParameters();
            store.setResource("file:" + file);
            store.setPassword(http.keyStorePassword());
            KeyManagersParameters keys = new KeyManagersParameters();
            keys.setKeyStore(store);
            keys.setKeyPassword(http.keyStorePassword());
            SSLContextParameters tls = new SSLContextParameters();
            tls.setKeyManagers(keys);
            server.setSslContextParameters(tls);
            LOG.info("The HTTP API serves TLS with the key store {}", file);
        }
        return new VertxPlatformHttpServer(server);
    }
}
