package io.mqttintegration.runtime.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.ConnectionBase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server's defences against clients that hold connections: an idle timeout (no byte in
 * either direction), a request timeout (a request must arrive whole, see {@link RequestDeadline}), a
 * cap on open connections (one beyond it is closed at once), and JSON answers to requests Vert.x
 * cannot parse (see {@link JsonRouterErrors#invalidRequest}).
 *
 * <p>Camel's {@code VertxPlatformHttpServer} builds its {@code HttpServerOptions} itself and offers
 * no hook before it listens, when Vert.x reads the options and handlers. It does take the Vert.x
 * instance from the registry, so the service binds one whose {@code createHttpServer} is wrapped
 * here; every other call goes to the real instance unchanged.
 */
public final class HttpServerGuard {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServerGuard.class);

    /** @param maxConnections open connections at most; more are closed as soon as they are accepted */
    public record Limits(int idleTimeoutSeconds, int requestTimeoutSeconds, int maxConnections) {
    }

    private final Limits limits;
    private final AtomicInteger open = new AtomicInteger();

    private HttpServerGuard(Limits limits) {
        this.limits = limits;
    }

    /** The Vert.x instance to bind in Camel's registry: HTTP servers made by it carry the limits. */
    public static Vertx guard(Vertx vertx, Limits limits) {
        HttpServerGuard guard = new HttpServerGuard(limits);
        return (Vertx) Proxy.newProxyInstance(HttpServerGuard.class.getClassLoader(), new Class<?>[] {VertxInternal.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("createHttpServer") && method.getReturnType() == HttpServer.class) {
                        HttpServerOptions options = args == null || args.length == 0 ? new HttpServerOptions()
                                : new HttpServerOptions((HttpServerOptions) args[0]);
                        return guard.configure(vertx.createHttpServer(guard.apply(options)), options);
                    }
                    return invoke(vertx, method, args);
                });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    HttpServerOptions apply(HttpServerOptions options) {
        // Without h2c (HTTP/2 over plain TCP, which no client of this API uses) Vert.x builds the
        // HTTP/1 connection at accept time instead of after the first bytes: the cap and the request
        // clock then apply from the connect.
        return options.setIdleTimeout(limits.idleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setHttp2ClearTextEnabled(false);
    }

    private HttpServer configure(HttpServer server, HttpServerOptions options) {
        server.connectionHandler(this::accepted);
        server.invalidRequestHandler(JsonRouterErrors.invalidRequest(options.getMaxInitialLineLength(), options.getMaxHeaderSize()));
        return server;
    }

    private void accepted(HttpConnection connection) {
        int now = open.incrementAndGet();
        connection.closeHandler(v -> open.decrementAndGet());
        if (now > limits.maxConnections()) {
            LOG.debug("HTTP connection from {} closed: {} open, http.maxConnections is {}", connection.remoteAddress(), now - 1,
                    limits.maxConnections());
            connection.close();
            return;
        }
        if (connection instanceof ConnectionBase base && base.channel().pipeline().get("handler") != null) {
            base.channel().pipeline().addBefore("handler", RequestDeadline.NAME,
                    new RequestDeadline(TimeUnit.SECONDS.toMillis(limits.requestTimeoutSeconds())));
        }
    }

    /** Connections open now (for tests and metrics). */
    int openConnections() {
        return open.get();
    }
}
