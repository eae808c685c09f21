package io.mqttintegration.runtime.subscriptions;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * The subscriptions' retry delays, doubling from a base up to a cap: attempt {@code n} waits up to
 * {@code min(cap, base * 2^n)}. {@link #jittered} ("full jitter": a random time in that window) is
 * for connects that failed: many subscriptions that lost their broker together (a broker restart)
 * thus come back spread over the window instead of all in the same instant, and again on each later
 * round while the broker is still away. {@link #doubling} waits the whole window: the reconnects for
 * redelivery, which follow failures of one subscription's own messages.
 */
record Backoff(long baseMillis, long capMillis, LongUnaryOperator random) {

    /** @param random given a bound {@code b}, a number in {@code [0, b]} */
    Backoff {
        if (baseMillis <= 0 || capMillis < baseMillis) {
            throw new IllegalArgumentException("backoff base must be positive and at most the cap");
        }
    }

    static Backoff jittered(long baseMillis, long capMillis) {
        return new Backoff(baseMillis, capMillis, bound -> ThreadLocalRandom.current().nextLong(bound + 1));
    }

    /** Exactly the window: 1 base, 2 bases, 4 bases, ... up to the cap. */
    static Backoff doubling(long baseMillis, long capMillis) {
        return new Backoff(baseMillis, capMillis, bound -> bound);
    }

    /** The window of attempt n (0 is the first): min(cap, base * 2^n). */
    long window(int attempt) {
        int shift = Math.max(0, Math.min(attempt, 30));
        long w = baseMillis << shift;
        return w <= 0 || w > capMillis ? capMillis : w;
    }

    /** How long attempt n waits: random in [0, window(n)]. */
    long delayMillis(int attempt) {
        return random.applyAsLong(window(attempt));
    }
}
