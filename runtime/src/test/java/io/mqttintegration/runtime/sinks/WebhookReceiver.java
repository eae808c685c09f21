package io.mqttintegration.runtime.sinks;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver for webhook sinks (Vert.x, on a port of its own): keeps every request it
 * answered 2xx (path, headers, body), and answers {@code status} (500 to refuse) for the next
 * {@link #refuseNext} requests or for all while {@link #refusing} is set. {@link #stop} closes its
 * port (a receiver that is down: each connection refused) until {@link #start} opens the same port again.
 */
final class WebhookReceiver implements AutoCloseable {

    record Request(String path, Map<String, String> headers, byte[] body) {

        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private volatile HttpServer server;
    private final int port;
    private final List<Request> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger refuseNext = new AtomicInteger();
    private volatile boolean refusing;

    WebhookReceiver() throws Exception {
        server = listen(0);
        port = server.actualPort();
    }

    private HttpServer listen(int onPort) throws Exception {
        return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
            if (refusing || refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                refused.incrementAndGet();
                req.response().setStatusCode(500).end("not now");
                return;
            }
            Map<String, String> headers = new TreeMap<>();
            req.headers().forEach(h -> headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
            accepted.add(new Request(req.path(), headers, body.getBytes()));
            req.response().setStatusCode(204).end();
        })).listen(onPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** Closes the port and the connections open to it: from now on each connection is refused. */
    void stop() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Listens again on the same port (fails if something else took it meanwhile). */
    void start() throws Exception {
        server = listen(port);
    }

    List<Request> accepted() {
        return new ArrayList<>(accepted);
    }

    int refused() {
        return refused.get();
    }

    void refuseNext(int n) {
        refuseNext.set(n);
    }

    void refusing(boolean on) {
        refusing = on;
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
