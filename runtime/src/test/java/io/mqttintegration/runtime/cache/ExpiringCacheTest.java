package io.mqttintegration.runtime.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The cache without Camel or a database: a map stands in for the table, a counter for the clock. */
class ExpiringCacheTest {

    final AtomicLong clock = new AtomicLong(1_000);
    final Map<String, String> table = new HashMap<>();
    final AtomicInteger reads = new AtomicInteger();

    Optional<String> read(String key) {
        reads.incrementAndGet();
        return Optional.ofNullable(table.get(key));
    }

    ExpiringCache<String, String> cache(long ttlMillis, int max) {
        return new ExpiringCache<>(Duration.ofMillis(ttlMillis), max, clock::get);
    }

    void advanceMillis(long millis) {
        clock.addAndGet(millis * 1_000_000);
    }

    @Test
    void servesAReadRowUntilItsTimeToLiveThenReadsAgain() {
        ExpiringCache<String, String> cache = cache(1000, 10);
        table.put("k", "v1");
        assertEquals(Optional.of("v1"), cache.get("k", this::read));
        table.put("k", "v2");
        advanceMillis(999);
        assertEquals(Optional.of("v1"), cache.get("k", this::read), "within the time to live the kept row is served");
        assertEquals(1, reads.get());
        advanceMillis(1);
        assertEquals(Optional.of("v2"), cache.get("k", this::read), "after the time to live the row is read again");
        assertEquals(2, reads.get());
    }

    @Test
    void aRowDeletedElsewhereIsGoneAfterTheTimeToLive() {
        ExpiringCache<String, String> cache = cache(1000, 10);
        table.put("k", "v");
        cache.get("k", this::read);
        table.remove("k");
        advanceMillis(1000);
        assertEquals(Optional.empty(), cache.get("k", this::read));
        assertEquals(0, cache.size(), "the expired entry of a row that went is dropped");
    }

    @Test
    void unknownKeysAreNotKeptSoARowCreatedElsewhereIsSeenAtOnce() {
        ExpiringCache<String, String> cache = cache(1000, 10);
        assertEquals(Optional.empty(), cache.get("k", this::read));
        table.put("k", "v");
        assertEquals(Optional.of("v"), cache.get("k", this::read));
        assertEquals(2, reads.get());
    }

    @Test
    void invalidationTakesEffectAtOnce() {
        ExpiringCache<String, String> cache = cache(1000, 10);
        table.put("a", "org1");
        table.put("b", "org2");
        cache.get("a", this::read);
        cache.get("b", this::read);
        table.remove("a");
        cache.invalidate("a");
        assertEquals(Optional.empty(), cache.get("a", this::read));
        table.remove("b");
        cache.invalidateIf("org2"::equals);
        assertEquals(Optional.empty(), cache.get("b", this::read));
    }

    @Test
    void aReadThatOverlapsAnInvalidationIsNotKept() {
        ExpiringCache<String, String> cache = cache(1000, 10);
        table.put("k", "live");
        // The read sees the row before the change commits; the invalidation runs before the read returns.
        assertEquals(Optional.of("live"), cache.get("k", key -> {
            Optional<String> row = read(key);
            table.remove("k");
            cache.invalidate("k");
            return row;
        }));
        assertEquals(Optional.empty(), cache.get("k", this::read), "the stale read was not kept");
    }

    @Test
    void aZeroTimeToLiveReadsEveryTime() {
        ExpiringCache<String, String> cache = cache(0, 10);
        table.put("k", "v");
        cache.get("k", this::read);
        cache.get("k", this::read);
        assertEquals(2, reads.get());
        assertEquals(0, cache.size());
    }

    @Test
    void staysWithinItsBoundEvictingExpiredEntriesFirst() {
        ExpiringCache<String, String> cache = cache(1000, 3);
        for (String k : new String[] {"a", "b", "c", "d", "e"}) {
            table.put(k, k);
        }
        cache.get("a", this::read);
        cache.get("b", this::read);
        advanceMillis(1000);
        cache.get("c", this::read);
        cache.get("d", this::read);
        assertTrue(cache.size() <= 3, "bounded: " + cache.size());
        int before = reads.get();
        cache.get("c", this::read);
        assertEquals(before, reads.get(), "the live entry stayed; the expired ones made room");
        cache.get("e", this::read);
        assertTrue(cache.size() <= 3, "bounded when every entry is live too: " + cache.size());
    }
}
