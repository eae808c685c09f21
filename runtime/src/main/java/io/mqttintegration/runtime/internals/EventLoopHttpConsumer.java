package io.mqttintegration.runtime.internals;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpSupport;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * A platform-http consumer that runs its route on the event loop that read the request, with
 * Camel's asynchronous routing: the route's steps run right there, a step that waits (the commit)
 * suspends the exchange without holding a thread, and the answer is written on the same event loop
 * when the route completes. Camel's own consumer hands every request to a Vert.x worker thread,
 * which then blocks until the route completes: per request two thread hand-offs and a park, which
 * cost more CPU than the ingestion route itself on a small machine (docs/architecture.md).
 *
 * <p>Form bodies are not turned into headers (the routes served here take JSON). A route served
 * here must not block: a step that may read the database wraps itself in {@code WorkerHop}, which
 * moves the rest of the exchange to a worker thread when it must.
 */
final class EventLoopHttpConsumer extends VertxPlatformHttpConsumer {

    /** The answer to a request Camel refused while stopping: the same as the router's (JsonRouterErrors). */
    private static final byte[] UNAVAILABLE = "{\"error\":\"unavailable\",\"detail\":\"the service is starting or stopping; send again shortly\"}"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    /** Camel's response writer (status, headers, body, exceptions), package-private in Camel 4.14. */
    private static final MethodHandle WRITE_RESPONSE = writeResponse();

    EventLoopHttpConsumer(PlatformHttpEndpoint endpoint, Processor processor, List<Handler<RoutingContext>> handlers,
            String routerName) {
        super(endpoint, processor, handlers, routerName);
        if (endpoint.isHttpProxy()) {
            throw new IllegalArgumentException("platform-http:" + endpoint.getPath() + ": the event-loop engine serves no proxy");
        }
    }

    @Override
    protected void handleRequest(RoutingContext ctx) {
        if (isSuspended()) {
            ctx.response().setStatusCode(503);
            ctx.end();
            return;
        }
        Context context = Vertx.currentContext();
        Exchange exchange = createExchange(false);
        exchange.setPattern(ExchangePattern.InOut);
        processHttpRequest(exchange, ctx).onComplete(read -> {
            if (read.failed()) {
                fail(exchange, ctx, read.cause());
                return;
            }
            try {
                createUoW(exchange);
            } catch (Exception e) {
                fail(exchange, ctx, e);
                return;
            }
            getAsyncProcessor().process(exchange, doneSync -> {
                if (doneSync || context == null || (Context.isOnEventLoopThread() && Vertx.currentContext() == context)) {
                    respond(ctx, exchange);
                } else {
                    context.runOnContext(v -> respond(ctx, exchange));
                }
            });
        });
    }

    private void respond(RoutingContext ctx, Exchange exchange) {
        Message answer = exchange.getMessage();
        if (exchange.getException() != null && stopping()) {
            // Refused by Camel itself while the route or the context stops ("Run is not allowed"),
            // before the route's error handling runs: Camel's writer would answer a bare 500.
            exchange.setException(null);
            answer.setHeaders(new java.util.HashMap<>());
            answer.setHeader(Exchange.HTTP_RESPONSE_CODE, 503);
            answer.setHeader(Exchange.CONTENT_TYPE, "application/json");
            answer.setHeader("Retry-After", "1");
            answer.setBody(UNAVAILABLE.clone());
        }
        if (answer.getBody() instanceof byte[] bytes) {
            // Camel 4.14 writes a byte[] body as an InputStream pumped through a worker thread
            // (AsyncInputStream): a hand-off and a few allocations per answer, and no answer at all
            // while every worker is busy. A ByteBuffer goes out at once, with its Content-Length.
            answer.setBody(ByteBuffer.wrap(bytes));
        }
        Future<Void> written;
        try {
            written = (Future<Void>) WRITE_RESPONSE.invokeExact(ctx, exchange, getEndpoint().getHeaderFilterStrategy(),
                    getEndpoint().isMuteException());
        } catch (Throwable e) {
            fail(exchange, ctx, e);
            return;
        }
        written.onComplete(result -> {
            if (result.succeeded()) {
                done(exchange);
            } else {
                fail(exchange, ctx, result.cause());
            }
        });
    }

    private boolean stopping() {
        return isStoppingOrStopped() || getEndpoint().getCamelContext().isStopping()
                || getEndpoint().getCamelContext().isStopped();
    }

    private void fail(Exchange exchange, RoutingContext ctx, Throwable failure) {
        getExceptionHandler().handleException("Failed handling platform-http endpoint " + getEndpoint().getPath(), failure);
        ctx.fail(failure);
        done(exchange);
    }

    private void done(Exchange exchange) {
        doneUoW(exchange);
        releaseExchange(exchange, false);
    }

    /** Whether Camel's response writer was found (the class cannot load otherwise). */
    static boolean writerFound() {
        return WRITE_RESPONSE != null;
    }

    private static MethodHandle writeResponse() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(VertxPlatformHttpSupport.class, MethodHandles.lookup());
            return lookup.findStatic(VertxPlatformHttpSupport.class, "writeResponse", MethodType.methodType(Future.class,
                    RoutingContext.class, Exchange.class, HeaderFilterStrategy.class, boolean.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("Camel's platform-http-vertx has no writeResponse(RoutingContext, Exchange, "
                    + "HeaderFilterStrategy, boolean): update EventLoopHttpConsumer for this Camel version (" + e + ")");
        }
    }
}
