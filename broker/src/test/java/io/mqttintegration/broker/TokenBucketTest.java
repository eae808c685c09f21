package io.mqttintegration.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

    final AtomicLong nanos = new AtomicLong(1_000);

    @Test
    void startsFullThenRefillsAtItsRateUpToItsCapacity() {
        TokenBucket bucket = new TokenBucket(1, 2, nanos::get);
        assertTrue(bucket.tryTake());
        assertTrue(bucket.tryTake());
        assertFalse(bucket.tryTake(), "the burst of 2 is spent");
        nanos.addAndGet(500_000_000L);
        assertFalse(bucket.tryTake(), "half a second: half a token");
        nanos.addAndGet(500_000_000L);
        assertTrue(bucket.tryTake(), "a second: one token");
        assertFalse(bucket.tryTake());
        nanos.addAndGet(60_000_000_000L);
        assertTrue(bucket.tryTake());
        assertTrue(bucket.tryTake());
        assertFalse(bucket.tryTake(), "a long pause refills only up to the capacity");
    }

    @Test
    void rateZeroLetsNothingThrough() {
        TokenBucket bucket = new TokenBucket(0, 1, nanos::get);
        assertFalse(bucket.tryTake());
        nanos.addAndGet(10_000_000_000L);
        assertFalse(bucket.tryTake());
    }

    @Test
    void capacityIsTheRateTimesTheBurstSecondsAndAtLeastOne() {
        assertEquals(20, TokenBucket.capacity(10, 2));
        assertEquals(1, TokenBucket.capacity(0, 2));
        assertEquals(Integer.MAX_VALUE, TokenBucket.capacity(1_000_000, 3_600));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, nanos::get));
    }
}
