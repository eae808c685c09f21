package io.mqttintegration.runtime.api;

import io.mqttintegration.runtime.auth.Authenticator;
import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.http.HttpErrors;
import io.mqttintegration.runtime.web.LiveStream;
import io.mqttintegration.runtime.web.LiveStreams;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * {@code GET /api/v1/integrations/{id}/live}: the integration's messages as they are committed, as
 * Server-Sent Events ({@link LiveStream}), until the client leaves. Another organization's
 * integration is 404 like a missing one.
 *
 * <p>Served by a Vert.x handler of its own on platform-http's router, ahead of the REST operation's
 * route: Camel writes a route's streamed body through its own pump in blocks, so an event could sit
 * unsent until more followed. Here each event is one {@code write} on the chunked answer. The request
 * is checked as every API request is ({@link Authenticator}: key or console session, the scope the
 * operation {@code api-integrations-live} declares in routes/api-console.camel.yaml, which also keeps
 * it in the OpenAPI document), and errors have the API's JSON shape.
 */
public final class LiveApi implements Handler<RoutingContext> {

    /** The REST operation's route: its declared scope applies, its route only answers if this handler is missing. */
    static final String ROUTE_ID = "api-integrations-live";
    static final String PATH = "/api/v1/integrations/:id/live";
    private static final long TICK_MS = 1000;

    private final Authenticator authenticator;
    private final IntegrationStore integrations;
    private final LiveStreams streams;

    public LiveApi(Authenticator authenticator, IntegrationStore integrations, LiveStreams streams) {
        this.authenticator = authenticator;
        this.integrations = integrations;
        this.streams = streams;
    }

    /**
     * Adds the handler to the router of platform-http's server on this port (after the context
     * started it), ahead of every route Camel adds.
     */
    public void install(CamelContext context, int port) {
        Router router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter.getRouterNameFromPort(port));
        if (router == null) {
            throw new IllegalStateException("no platform-http router for port " + port + ": the live stream cannot be served");
        }
        router.route(HttpMethod.GET, PATH).order(-1).handler(this);
    }

    /**
     * Route step of the REST operation's route, which the handler stands in front of: reached only
     * while the handler is not installed yet (the server listens before the service serves).
     */
    public void notInstalled() {
        throw new ApiException(503, "unavailable", "the service is starting; send again shortly").retryAfter(1);
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Vertx vertx = ctx.vertx();
        Context loop = vertx.getOrCreateContext();
        String id = ctx.pathParam("id");
        // The key's and the integration's checks read the database: on a worker thread.
        vertx.executeBlocking(() -> {
            Principal principal = authenticator.authenticate(request, ROUTE_ID);
            return new Request(principal, Map.of("id", id), request.query(), null).integration(integrations);
        }, false).onComplete(checked -> {
            if (checked.failed()) {
                HttpErrors.reply(ctx.response(), checked.cause());
                return;
            }
            open(ctx, loop, checked.result());
        });
    }

    /** On the connection's event loop: the answer's head, then the stream fed from the next commit on. */
    private void open(RoutingContext ctx, Context loop, IntegrationRecord integration) {
        HttpServerResponse response = ctx.response();
        if (response.closed()) {
            return;
        }
        LiveStream stream;
        try {
            stream = streams.open(integration.id(), task -> loop.runOnContext(v -> task.run()), new Output(response));
        } catch (ApiException e) {
            HttpErrors.reply(response, e);
            return;
        }
        response.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                // Tells nginx-like proxies not to buffer the stream.
                .putHeader("X-Accel-Buffering", "no");
        // The head and a first comment go out at once: the client knows it is listening.
        response.write(": live\n\n");
        long timer = ctx.vertx().setPeriodic(TICK_MS, t -> stream.tick());
        Handler<Void> ended = v -> {
            ctx.vertx().cancelTimer(timer);
            streams.closed(stream);
        };
        response.closeHandler(ended);
        response.endHandler(ended);
    }

    /** The chunked answer; a client whose write queue is full is not written to (the event counts as dropped). */
    private record Output(HttpServerResponse response) implements LiveStream.Output {

        @Override
        public boolean write(String text) {
            if (response.ended() || response.closed() || response.writeQueueFull()) {
                return false;
            }
            response.write(text);
            return true;
        }

        @Override
        public void end() {
            if (!response.ended() && !response.closed()) {
                response.end();
            }
        }
    }
}
