package io.mqttintegration.runtime.mqtt;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most N events per window per key (a sliding window): connection tests per organization and
 * failed authentications per client address (per minute), publishes per integration (per second,
 * with each key's own limit: its organization's quota).
 */
public final class RateLimiter<K> {

    private static final int PRUNE_ABOVE = 10_000;

    private final int limit;
    private final long window;
    private final Map<K, Deque<Long>> windows = new ConcurrentHashMap<>();

    /** At most {@code perMinute} events per minute per key. */
    public RateLimiter(int perMinute) {
        this(perMinute, Duration.ofMinutes(1));
    }

    /** At most {@code limit} events per {@code window} per key (unless {@link #acquire(Object, int)} names another). */
    public RateLimiter(int limit, Duration window) {
        this.limit = limit;
        this.window = window.toNanos();
    }

    /** Takes one slot; returns 0 when allowed, else the seconds until one frees. */
    public long acquire(K key) {
        return acquire(key, limit);
    }

    /** Takes one slot of at most {@code limit} per window (0: none is ever allowed); 0 when allowed, else the seconds to wait. */
    public long acquire(K key, int limit) {
        long now = System.nanoTime();
        if (windows.size() > PRUNE_ABOVE) {
            windows.values().removeIf(w -> {
                synchronized (w) {
                    return w.isEmpty() || now - w.peekLast() >= window;
                }
            });
        }
        Deque<Long> slots = windows.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (slots) {
            long wait = waitFor(slots, now, limit);
            if (wait == 0) {
                slots.addLast(now);
            }
            return wait;
        }
    }

    /** Whether the key's window is full, without taking a slot: 0, or the seconds until one frees. */
    public long blockedFor(K key) {
        Deque<Long> slots = windows.get(key);
        if (slots == null) {
            return 0;
        }
        synchronized (slots) {
            return waitFor(slots, System.nanoTime(), limit);
        }
    }

    private long waitFor(Deque<Long> slots, long now, int limit) {
        while (!slots.isEmpty() && (now - slots.peekFirst() >= window || slots.size() > Math.max(limit, 0))) {
            slots.pollFirst(); // expired, or beyond a limit that was lowered
        }
        if (limit <= 0) {
            return Math.max(1, window / 1_000_000_000L);
        }
        return slots.size() >= limit ? Math.max(1, (window - (now - slots.peekFirst())) / 1_000_000_000L + 1) : 0;
    }
}
