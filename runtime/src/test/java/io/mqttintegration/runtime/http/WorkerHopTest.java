package io.mqttintegration.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WorkerHopTest {

    private static Vertx vertx;
    private static DefaultCamelContext camel;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        camel = new DefaultCamelContext();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        camel.close();
    }

    /** Where the exchange goes on: [synchronously?, on an event loop?]. */
    private static boolean[] runOnEventLoop(WorkerHop hop) throws Exception {
        CompletableFuture<boolean[]> where = new CompletableFuture<>();
        vertx.runOnContext(v -> {
            Exchange exchange = new DefaultExchange(camel);
            hop.process(exchange, doneSync -> where.complete(new boolean[] {doneSync, Context.isOnEventLoopThread()}));
        });
        return where.get(10, TimeUnit.SECONDS);
    }

    @Test
    void stepsThatAnswerFromMemoryStayOnTheEventLoop() throws Exception {
        boolean[] where = runOnEventLoop(new WorkerHop(vertx, e -> true));
        assertTrue(where[0], "no hand-off");
        assertTrue(where[1], "still on the event loop");
    }

    @Test
    void stepsThatReadTheDatabaseGoOnOnAWorkerThread() throws Exception {
        boolean[] where = runOnEventLoop(new WorkerHop(vertx, e -> false));
        assertFalse(where[0], "the exchange goes on asynchronously");
        assertFalse(where[1], "off the event loop, so a slow database cannot stall the other connections");
    }

    @Test
    void offAnEventLoopItDoesNothing() {
        Exchange exchange = new DefaultExchange(camel);
        boolean[] sync = new boolean[1];
        assertTrue(new WorkerHop(vertx, e -> false).process(exchange, doneSync -> sync[0] = doneSync));
        assertEquals(true, sync[0]);
    }
}
