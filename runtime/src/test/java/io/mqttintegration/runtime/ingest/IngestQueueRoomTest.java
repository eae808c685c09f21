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
        order.add(drainOne()); // the request goes ahead of the subscriptions' messages
        assertTrue(!s3.isDone(), "a request leaving frees no subscription room");
        order.add(drainOne()); // s1 leaves: room for the first that waited
        s3.get(5, TimeUnit.SECONDS);
        assertTrue(!s4.isDone(), "s4 asked after s3, and there is room for one");
        order.add(drainOne());
        s4.get(5, TimeUnit.SECONDS);
        order.add(drainOne());
        order.add(drainOne());
        assertEquals(List.of("h1,h2", "s1", "s2", "s3", "s4"), order, "subscriptions in the order admitted");
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
        assertEquals(94, large.drainBehind(List.of()).size(), "the request first, whole");
        assertTrue(!seventh.isDone(), "no subscription room freed yet");
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

    @Test
    void requestsGoAheadOfQueuedSubscriptionMessagesButPassAQueuesWorthAtMost() {
        IngestQueue ordered = new IngestQueue(context, "order-test", 6, 1, new WriterTurns(Integer.MAX_VALUE));
        ordered.enqueueWaiting(message("s1"));
        ordered.enqueueAll(List.of(message("h1")));
        ordered.enqueueWaiting(message("s2"));
        ordered.enqueueAll(List.of(message("h2"), message("h3")));
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            order.add(String.join(",", ordered.drainBehind(List.of()).stream().map(InboundMessage::topic).toList()));
        }
        assertEquals(List.of("h1", "h2,h3", "s1"), order, "requests first, each in its order");

        // A flood of requests passes a subscription message only within a queue's worth (6 messages).
        List<String> flood = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ordered.enqueueAll(List.of(message("h" + (4 + i))));
            flood.add(String.join(",", ordered.drainBehind(List.of()).stream().map(InboundMessage::topic).toList()));
        }
        assertTrue(flood.contains("s2"), "s2 is taken while requests keep coming: " + flood);
        assertTrue(flood.indexOf("s2") <= 6, "after at most a queue's worth of requests offered after it: " + flood);
    }

    @Test
    void placesAreDistinctAndRequestsComeFirst() {
        assertTrue(queue.placeOf(List.of(message("h"))) < 0, "a request placed a capacity ahead");
        long p1 = queue.placeOf(List.of(message("h")));
        long p2 = queue.placeOf(List.of(message("h")));
        assertTrue(p1 < p2, "requests keep their order");
    }

    @Test
    void aBatchThatStartsWithARequestTakesRequestsOnly() {
        IngestQueue mixed = new IngestQueue(context, "batch-test", 20, 10, new WriterTurns(Integer.MAX_VALUE));
        mixed.enqueueWaiting(message("s1"));
        mixed.enqueueAll(List.of(message("h1")));
        mixed.enqueueWaiting(message("s2"));
        mixed.enqueueAll(List.of(message("h2"), message("h3")));
        assertEquals(List.of("h1", "h2", "h3"), mixed.drainBehind(List.of()).stream().map(InboundMessage::topic).toList(),
                "a small commit for the requests, not one filled up with subscription messages");
        assertEquals(List.of("s1", "s2"), mixed.drainBehind(List.of()).stream().map(InboundMessage::topic).toList());
        assertEquals(0, mixed.depth());
    }
}
