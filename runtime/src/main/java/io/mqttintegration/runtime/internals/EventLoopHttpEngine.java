package io.mqttintegration.runtime.internals;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.spi.PlatformHttpConsumer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;

/**
 * The platform-http engine of routes that name it ({@code platformHttpEngine: "#eventLoopHttp"}):
 * their steps run on the Vert.x event loop that read the request ({@link EventLoopHttpConsumer}).
 * Every other platform-http route keeps Camel's engine, which runs each request on a worker thread.
 *
 * <p>Upstream: Camel 4.14.0 platform-http-vertx hands every request to a worker thread
 * ({@code VertxPlatformHttpConsumer.handleRequest}) and keeps its response writer package-private
 * ({@code VertxPlatformHttpSupport.writeResponse}, reached with {@code privateLookupIn} by
 * {@link EventLoopHttpConsumer}); no issue filed. Re-check on a Camel upgrade
 * ({@code UpstreamVersionsTest} fails then, and also when the writer is gone).
 */
public final class EventLoopHttpEngine extends VertxPlatformHttpEngine {

    @Override
    protected void doInit() {
        // Camel's engine binds itself as the context's default engine here; this one serves only
        // the routes that name it.
    }

    @Override
    public PlatformHttpConsumer createConsumer(PlatformHttpEndpoint endpoint, Processor processor) {
        List<Handler<RoutingContext>> handlers = getHandlers();
        return new EventLoopHttpConsumer(endpoint, processor, handlers == null ? List.of() : handlers,
                VertxPlatformHttpRouter.getRouterNameFromPort(getServerPort()));
    }
}
