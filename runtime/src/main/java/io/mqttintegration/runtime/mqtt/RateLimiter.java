package io.mqttintegration.runtime.mqtt;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** At most N events per minute per organization (a sliding window), for connection tests. */
public final class RateLimiter {

    private final int perMinute;
    private final Map<UUID, Deque<Long>> windows = new ConcurrentHashMap<>();

    public RateLimiter(int perMinute) {
        this.perMinute = perMinute;
    }

    /** Takes one slot; returns 0 when allowed, else the seconds until one frees. */
    public long acquire(UUID organization) {
        long now = System.nanoTime();
        Deque<Long> window = windows.computeIfAbsent(organization, k -> new ArrayDeque<>());
        synchronized (window) {
            while (!window.isEmpty() && now - window.peekFirst() >= 60_000_000_000L) {
                window.pollFirst();
            }
            if (window.size() >= perMinute) {
                return Math.max(1, (60_000_000_000L - (now - window.peekFirst())) / 1_000_000_000L + 1);
            }
            window.addLast(now);
            return 0;
        }
    }
}
