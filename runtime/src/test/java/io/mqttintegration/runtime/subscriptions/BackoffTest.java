package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void theWindowDoublesFromTheBaseUpToTheCap() {
        Backoff b = new Backoff(1000, 10_000, bound -> bound);
        assertEquals(1000, b.delayMillis(0));
        assertEquals(2000, b.delayMillis(1));
        assertEquals(8000, b.delayMillis(3));
        assertEquals(10_000, b.delayMillis(4));
        assertEquals(10_000, b.delayMillis(1_000)); // no overflow
    }

    @Test
    void eachDelayIsRandomWithinItsWindowSoManyClientsDoNotReconnectTogether() {
        Backoff b = Backoff.jittered(1000, 10_000);
        Set<Long> delays = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            long d = b.delayMillis(2);
            assertTrue(d >= 0 && d <= 4000, "delay " + d + " outside [0, 4000]");
            delays.add(d);
        }
        // 2,000 clients that lost the broker together: their next attempts are spread, not one instant.
        assertTrue(delays.size() > 1000, "distinct delays among 2000: " + delays.size());
    }

    @Test
    void theRedeliveryBackoffWaitsTheWholeWindowOneSecondDoublingToItsCap() {
        Backoff b = Backoff.doubling(1000, 8000);
        assertEquals(1000, b.delayMillis(0));
        assertEquals(2000, b.delayMillis(1));
        assertEquals(4000, b.delayMillis(2));
        assertEquals(8000, b.delayMillis(3));
        assertEquals(8000, b.delayMillis(5), "capped, not jittered: every reconnect for redelivery waits the window");
    }
}
