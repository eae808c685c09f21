package io.mqttintegration.runtime.cache;

import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Database rows read on every request, kept for a short time: an entry is served for at most the
 * time to live after the read that produced it, so a change made on another node is seen within
 * that time; the node that makes a change invalidates its own entries at once. Only rows that
 * exist are kept (an unknown key is read again each time, so a row created elsewhere works at once).
 * At most {@code maxEntries}: when full, expired entries go first, then arbitrary ones.
 * A time to live of zero keeps nothing.
 */
public final class ExpiringCache<K, V> {

    private record Entry<V>(V value, long expiresAtNanos) {
    }

    private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int maxEntries;
    private final LongSupplier nanos;
    /** Moves at each invalidation: a read that overlapped one does not stay cached. */
    private final AtomicLong invalidations = new AtomicLong();
    private volatile long nextSweepNanos;

    /** @param nanos a monotonic clock ({@code System::nanoTime}; a test's own) */
    public ExpiringCache(Duration ttl, int maxEntries, LongSupplier nanos) {
        if (ttl.isNegative() || maxEntries < 1) {
            throw new IllegalArgumentException("time to live >= 0 and at least one entry");
        }
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
        this.nanos = nanos;
        this.nextSweepNanos = nanos.getAsLong();
    }

    /** The kept value of a key, else what the loader reads (kept only when present). */
    public Optional<V> get(K key, Function<K, Optional<V>> loader) {
        if (ttlNanos == 0) {
            return loader.apply(key);
        }
        long now = nanos.getAsLong();
        Entry<V> kept = entries.get(key);
        if (fresh(kept, now)) {
            return Optional.of(kept.value());
        }
        long generation = invalidations.get();
        Optional<V> loaded = loader.apply(key);
        if (loaded.isEmpty()) {
            if (kept != null) {
                entries.remove(key, kept);
            }
            return loaded;
        }
        // Expiry counts from before the read: the row is never served older than the time to live.
        Entry<V> fresh = new Entry<>(loaded.get(), now + ttlNanos);
        makeRoom(now);
        entries.put(key, fresh);
        if (invalidations.get() != generation) {
            // An invalidation ran while the row was read: what was read may be what it removed.
            entries.remove(key, fresh);
        }
        return loaded;
    }

    /** Whether {@link #get} would answer the key without its loader (a fresh entry is kept). */
    public boolean holds(K key) {
        if (ttlNanos == 0) {
            return false;
        }
        return fresh(entries.get(key), nanos.getAsLong());
    }

    private static boolean fresh(Entry<?> kept, long now) {
        return kept != null && now - kept.expiresAtNanos() < 0;
    }

    public void invalidate(K key) {
        invalidations.incrementAndGet();
        entries.remove(key);
    }

    /** Removes every entry whose value matches (a scan: for changes, which are rare). */
    public void invalidateIf(Predicate<V> matches) {
        invalidations.incrementAndGet();
        entries.values().removeIf(e -> matches.test(e.value()));
    }

    public void clear() {
        invalidations.incrementAndGet();
        entries.clear();
    }

    /** Entries held, expired ones included until they are swept or replaced. */
    public int size() {
        return entries.size();
    }

    private void makeRoom(long now) {
        if (entries.size() < maxEntries) {
            return;
        }
        // A sweep scans everything: at most once per time to live, else evict arbitrary entries.
        if (now - nextSweepNanos >= 0) {
            nextSweepNanos = now + ttlNanos;
            entries.values().removeIf(e -> now - e.expiresAtNanos() >= 0);
        }
        Iterator<K> keys = entries.keySet().iterator();
        while (entries.size() >= maxEntries && keys.hasNext()) {
            keys.next();
            keys.remove();
        }
    }
}
