package io.mqttintegration.runtime.mqtt;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most N events per minute per key (a sliding window): connection tests per organization,
 * failed authentications per client address.
 */
public final class RateLimiter<K> {

    private static final long MINUTE = 60_000_000_000L;
    private static final int PRUNE_ABOVE = 10_000;

    private final int perMinute;
    private final Map<K, Deque<Long>> windows = new ConcurrentHashMap<>();

    public RateLimiter(int perMinute) {
        this.perMinute = perMinute;
    }

    /** Takes one slot; returns 0 when allowed, else the seconds until one frees. */
    public long acquire(K key) {
        long now = System.nanoTime();
        if (windows.size() > PRUNE_ABOVE) {
            windows.values().removeIf(w -> {
                synchronized (w) {
                    return w.isEmpty() || now - w.peekLast() >= MINUTE;
                }
            });
        }
        Deque<Long> window = windows.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (window) {
            long wait = waitFor(window, now);
            if (wait == 0) {
                window.addLast(now);
            }
            return wait;
        }
    }

    /** Whether the key's window is full, without taking a slot: 0, or the seconds until one frees. */
    public long blockedFor(K key) {
        Deque<Long> window = windows.get(key);
        if (window == null) {
            return 0;
        }
        synchronized (window) {
            return waitFor(window, System.nanoTime());
        }
    }

    private long waitFor(Deque<Long> window, long now) {
        while (!window.isEmpty() && now - window.peekFirst() >= MINUTE) {
            window.pollFirst();
        }
        return window.size() >= perMinute ? Math.max(1, (MINUTE - (now - window.peekFirst())) / 1_000_000_000L + 1) : 0;
    }
}
