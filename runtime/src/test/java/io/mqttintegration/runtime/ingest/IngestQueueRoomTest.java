package io.mqttintegration.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.runtime.http.QueueFullException;
import io.mqttintegration.storage.InboundMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Room in the ingestion queue for subscriptions (a SEDA queue with no consumer; the test drains it
 * as a writer would): they wait rather than being refused, take room for two batches and never more
 * than half the capacity, get room in the order they asked, and HTTP requests still find the rest.
 */
class IngestQueueRoomTest {

    CamelContext context;
    IngestQueue queue;

    @BeforeEach
    void start() {
        context = new DefaultCamelContext();
        context.start();
        queue = new IngestQueue(context, "room-test", 4, 1, new WriterTurns(Integer.MAX_VALUE));
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    static InboundMessage message(String topic) {
        return new InboundMessage(InboundMessage.Source.MQTT, topic, new byte[0], null, Instant.now(), null, null);
    }

    CompletableFuture<InboundMessage> waiting(String topic) throws InterruptedException {
        CompletableFuture<InboundMessage> f = CompletableFuture.supplyAsync(() -> queue.enqueueWaiting(message(topic)));
        TimeUnit.MILLISECONDS.sleep(200); // it asked before the next one does
        return f;
    }

    /** One writer's turn with a batch size of 1: the next entry, whole. */
    String drainOne() {
        return String.join(",", queue.drainBehind(List.of()).stream().map(InboundMessage::topic).toList());
    }

    @Test
    void subscriptionsWaitForRoomInTheOrderTheyAskedWhileRequestsFindTheirHalf() throws Exception {
        queue.enqueueWaiting(message("s1"));
        queue.enqueueWaiting(message("s2"));
        CompletableFuture<InboundMessage> s3 = waiting("s3");
        CompletableFuture<InboundMessage> s4 = waiting("s4");
        assertTrue(!s3.isDone() && !s4.isDone(), "subscriptions hold half the capacity (2 of 4): the next ones wait");
        assertEquals(0, queue.rejected(), "waiting, not refused");

        queue.enqueueAll(List.of(message("h1"), message("h2")));
        assertEquals(4, queue.depth(), "a request still finds the other half");
        assertThrows(QueueFullException.class, () -> queue.enqueueAll(List.of(message("h3"))), "beyond the capacity: 503");

        List<String> order = new ArrayList<>();
        order.add(drainOne()); // s1 leaves: room for the first that waited
        s3.get(5, TimeUnit.SECONDS);
        assertTrue(!s4.isDone(), "s4 asked after s3, and there is room for one");
        order.add(drainOne());
        s4.get(5, TimeUnit.SECONDS);
        order.add(drainOne());
        order.add(drainOne());
        order.add(drainOne());
        assertEquals(List.of("s1", "s2", "h1,h2", "s3", "s4"), order, "queued in the order admitted");
        assertEquals(2, queue.waited(), "two waited for room");
        assertEquals(0, queue.depth());
    }

    @Test
    void subscriptionsHoldTwoBatchesAtMostHoweverLargeTheQueue() throws Exception {
        IngestQueue large = new IngestQueue(context, "room-test-large", 100, 3, new WriterTurns(Integer.MAX_VALUE));
        for (int i = 0; i < 6; i++) {
            large.enqueueWaiting(message("s" + i));
        }
        CompletableFuture<InboundMessage> seventh = CompletableFuture.supplyAsync(() -> large.enqueueWaiting(message("s6")));
        TimeUnit.MILLISECONDS.sleep(200);
        assertTrue(!seventh.isDone(), "two batches of 3 queued: the seventh waits, though the queue holds 100");
        large.enqueueAll(java.util.Collections.nCopies(94, message("h")));
        assertEquals(100, large.depth(), "requests have the rest");
        large.drainBehind(List.of());
        seventh.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aWaitEndsWhenTheThreadIsInterruptedAndNothingIsQueued() throws Exception {
        queue.enqueueWaiting(message("s1"));
        queue.enqueueWaiting(message("s2"));
        Thread.currentThread().interrupt();
        assertThrows(QueueFullException.class, () -> queue.enqueueWaiting(message("s3")));
        assertTrue(Thread.interrupted(), "the interrupt is kept for the caller (Paho's callback loop ends on it)");
        assertEquals(2, queue.depth());
    }
}
