package io.mqttintegration.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WriterTurnsTest {

    private static Thread writer(WriterTurns turns, AtomicInteger queued, CountDownLatch started) {
        Thread t = new Thread(() -> {
            turns.begin(queued::get);
            started.countDown();
        });
        t.start();
        return t;
    }

    @Test
    void aWriterStartsAtOnceWhenNoOtherBatchIsBeingWritten() {
        turns.begin(() -> 1);
        assertEquals(1, turns.writing());
        turns.end();
        assertEquals(0, turns.writing());
    }

    private final WriterTurns turns = new WriterTurns(100);
    private final AtomicInteger queued = new AtomicInteger(1);
    private final CountDownLatch started = new CountDownLatch(1);

    /** A first batch being written and a second writer with one message, waiting. */
    private Thread secondWriterWaiting() throws InterruptedException {
        turns.begin(queued::get);
        Thread second = writer(turns, queued, started);
        assertFalse(started.await(200, TimeUnit.MILLISECONDS), "one message queued is not worth a commit beside the running one");
        return second;
    }

    @Test
    void whileABatchIsWrittenASecondWriterWaitsForItsEnd() throws Exception {
        Thread second = secondWriterWaiting();
        turns.end();
        assertTrue(started.await(5, TimeUnit.SECONDS), "the end of the first batch lets the second writer go");
        second.join();
        assertEquals(1, turns.writing());
    }

    @Test
    void aDeepQueueLetsASecondWriterStartBesideTheFirst() throws Exception {
        Thread second = secondWriterWaiting();
        queued.set(100);
        turns.queued(100);
        assertTrue(started.await(5, TimeUnit.SECONDS), "100 queued messages are a batch of their own: the writer starts");
        second.join();
        assertEquals(2, turns.writing(), "two batches are written side by side");
    }

    @Test
    void anInterruptedWriterStopsWaitingAndKeepsItsInterrupt() throws Exception {
        turns.begin(() -> 1);
        AtomicInteger interrupted = new AtomicInteger();
        Thread second = new Thread(() -> {
            turns.begin(() -> 1);
            interrupted.set(Thread.currentThread().isInterrupted() ? 1 : 2);
        });
        second.start();
        second.interrupt();
        second.join(5_000);
        assertEquals(1, interrupted.get(), "the pipeline is stopping: the writer goes on and the interrupt stays set");
    }

    @Test
    void refusesAThresholdBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new WriterTurns(0));
    }
}
