package io.mqttintegration.runtime.http;

import io.mqttintegration.runtime.internals.EventLoopHttpEngine;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.function.Predicate;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * A step of a route served on the event loop ({@link EventLoopHttpEngine}) placed before steps that
 * may read the database: when they can answer from memory ({@code inMemory}) the exchange goes on
 * where it is; else the rest of the route runs on a Vert.x worker thread, so the event loop, which
 * serves every other connection too, never waits for the database (during an outage a read waits up
 * to the pool's connectionTimeout). On any other thread it does nothing.
 */
public final class WorkerHop extends AsyncProcessorSupport {

    private final Vertx vertx;
    private final Predicate<Exchange> inMemory;

    /** @param inMemory whether the steps behind this one answer the exchange without reading the database */
    public WorkerHop(Vertx vertx, Predicate<Exchange> inMemory) {
        this.vertx = vertx;
        this.inMemory = inMemory;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        if (!Context.isOnEventLoopThread() || inMemory.test(exchange)) {
            callback.done(true);
            return true;
        }
        vertx.executeBlocking(() -> {
            callback.done(false);
            return null;
        }, false);
        return false;
    }
}
