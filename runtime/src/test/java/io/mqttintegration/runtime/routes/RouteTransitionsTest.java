package io.mqttintegration.runtime.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RouteTransitionsTest {

    final RouteTransitions transitions = new RouteTransitions();

    @Test
    void aRouteIsMarkedWhileItChangesAndNestedMarksAreCounted() {
        transitions.during("a", () -> {
            assertTrue(transitions.inTransition("a"));
            transitions.during(List.of("a", "b"), () -> assertTrue(transitions.inTransition("b")));
            assertTrue(transitions.inTransition("a"), "still marked by the outer change");
            assertFalse(transitions.inTransition("b"));
        });
        assertFalse(transitions.inTransition("a"));
    }

    @Test
    void theMarkGoesAlsoWhenTheChangeFails() {
        try {
            transitions.during("a", () -> {
                throw new IllegalStateException("route could not start");
            });
        } catch (IllegalStateException expected) {
            assertEquals("route could not start", expected.getMessage());
        }
        assertFalse(transitions.inTransition("a"));
    }

    @Test
    void changesOfTwoThreadsRunOneAfterTheOther() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        AtomicBoolean firstRunning = new AtomicBoolean();
        CompletableFuture<Void> first = CompletableFuture.runAsync(() -> transitions.during("a", () -> {
            firstRunning.set(true);
            firstStarted.countDown();
            await(releaseFirst);
            firstRunning.set(false);
        }));
        firstStarted.await(10, TimeUnit.SECONDS);
        AtomicBoolean overlapped = new AtomicBoolean();
        CountDownLatch secondDone = new CountDownLatch(1);
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> transitions.during("b", () -> {
            overlapped.set(firstRunning.get());
            secondDone.countDown();
        }));
        assertFalse(secondDone.await(200, TimeUnit.MILLISECONDS), "the second change waits for the first");
        assertTrue(transitions.inTransition("b"), "marked while it waits");
        releaseFirst.countDown();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
        assertFalse(overlapped.get());
    }

    static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
