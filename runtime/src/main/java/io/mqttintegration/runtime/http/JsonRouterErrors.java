package io.mqttintegration.runtime.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.Router;
import java.util.function.BooleanSupplier;

/**
 * JSON bodies for the answers Vert.x gives before any route runs (no such path, wrong method, body
 * over the size limit) and for a failure that escapes a route: clients get the same error shape
 * everywhere and never a stack trace.
 */
public final class JsonRouterErrors {

    private JsonRouterErrors() {
    }

    /**
     * Installs on the server's root router: the one that answers when no route matches or a handler
     * fails. While the service is not {@code serving} (it listens before its route files are
     * deployed, and its routes go before the listener when it stops), a request that finds no route
     * or fails is answered 503 {@code unavailable} with {@code Retry-After}, not 404 or 500: a
     * device that sends during a restart learns to send again, not that the endpoint does not exist
     * (measured on the assembly: 1,528 of the requests sent during a Karaf start were answered 404).
     */
    public static void install(Router router, long maxBodyBytes, BooleanSupplier serving) {
        Handler<RoutingContext> unavailable = reply(503, "unavailable", "the service is starting or stopping; send again shortly");
        router.errorHandler(404, unlessServing(serving, unavailable, reply(404, "not_found", "no such endpoint")));
        router.errorHandler(405, reply(405, "method_not_allowed", "this endpoint does not take that method"));
        router.errorHandler(413, reply(413, "body_too_large", "the request body exceeds the limit of " + maxBodyBytes + " bytes"));
        router.errorHandler(400, reply(400, "bad_request", "the request could not be read"));
        router.errorHandler(500, unlessServing(serving, unavailable, reply(500, "internal_error", "unexpected error; see the service log")));
    }

    private static Handler<RoutingContext> unlessServing(BooleanSupplier serving, Handler<RoutingContext> unavailable,
            Handler<RoutingContext> otherwise) {
        return ctx -> (serving.getAsBoolean() ? otherwise : unavailable).handle(ctx);
    }

    private static Handler<RoutingContext> reply(int status, String code, String detail) {
        byte[] body = json(code, detail);
        return ctx -> {
            if (ctx.response().headWritten()) {
                ctx.response().end();
                return;
            }
            ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json");
            if (status == 503) {
                ctx.response().putHeader("Retry-After", "1");
            }
            ctx.response().end(io.vertx.core.buffer.Buffer.buffer(body));
        };
    }

    /**
     * Answers a request Vert.x could not parse (no route runs for it) in the same JSON shape, then
     * closes the connection: a request line over the limit is 414, headers over it 431, anything else
     * (bytes not allowed in a header, two Content-Lengths, a broken request line) 400.
     */
    public static Handler<io.vertx.core.http.HttpServerRequest> invalidRequest(int maxRequestLineBytes, int maxHeaderBytes) {
        byte[] uriTooLong = json("uri_too_long", "the request line is longer than " + maxRequestLineBytes + " bytes");
        byte[] headersTooLarge = json("headers_too_large", "the request headers are larger than " + maxHeaderBytes + " bytes");
        byte[] badRequest = json("bad_request", "the request is not valid HTTP: a malformed request line or header,"
                + " or conflicting Content-Length and Transfer-Encoding headers");
        return request -> {
            Throwable cause = request.decoderResult().cause();
            int status = 400;
            byte[] body = badRequest;
            if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
                status = 414;
                body = uriTooLong;
            } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
                status = 431;
                body = headersTooLarge;
            }
            io.vertx.core.http.HttpServerResponse response = request.response();
            response.setStatusCode(status)
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Connection", "close")
                    .end(io.vertx.core.buffer.Buffer.buffer(body))
                    .onComplete(done -> response.close());
        };
    }

    private static byte[] json(String code, String detail) {
        try {
            return io.mqttintegration.parsers.Json.strict().writeValueAsBytes(HttpErrors.body(code, detail, null));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
