package io.mqttintegration.broker;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code perSecond} tokens a second, at most {@code capacity} kept (the burst a
 * device may send at once after a pause); starts full. A rate of 0 lets nothing through.
 */
public final class TokenBucket {

    private static final double NANOS_PER_SECOND = 1_000_000_000d;

    private final double perSecond;
    private final double capacity;
    private final LongSupplier nanoTime;
    private double tokens;
    private long last;

    public TokenBucket(int perSecond, int capacity, LongSupplier nanoTime) {
        if (perSecond < 0 || capacity < 1) {
            throw new IllegalArgumentException("rate " + perSecond + " and capacity " + capacity);
        }
        this.perSecond = perSecond;
        this.capacity = capacity;
        this.nanoTime = nanoTime;
        this.last = nanoTime.getAsLong();
        this.tokens = perSecond == 0 ? 0 : capacity;
    }

    /** The capacity for a rate and a burst of {@code burstSeconds} of it: at least 1. */
    public static int capacity(int perSecond, int burstSeconds) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (long) perSecond * burstSeconds));
    }

    /** Takes one token if there is one. */
    public synchronized boolean tryTake() {
        if (perSecond == 0) {
            return false;
        }
        long now = nanoTime.getAsLong();
        tokens = Math.min(capacity, tokens + (now - last) / NANOS_PER_SECOND * perSecond);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
