package io.mqttintegration.runtime.http;

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
