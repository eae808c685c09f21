package io.mqttintegration.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a receiver of the bench (the bare webhook receiver, the Kafka consumer) saw of a sink's
 * deliveries in one phase: how many, when the first and the last came, and the lag of each from the
 * time the service received the message (the stored receive time the delivery carries) to its arrival
 * here, in µs. The bench's receivers run on this machine's clock, as the service does.
 */
final class Deliveries {

    private final AtomicLong count = new AtomicLong();
    private volatile long firstNanos;
    private volatile long lastNanos;
    private long[] lagMicros = new long[1 << 16];
    private int lags;

    /** One delivery, now; receivedAt null when it carried no receive time. */
    void arrived(Instant receivedAt) {
        long now = System.nanoTime();
        if (count.getAndIncrement() == 0) {
            firstNanos = now;
        }
        lastNanos = now;
        if (receivedAt != null) {
            long lag = ChronoUnit.MICROS.between(receivedAt, Instant.now());
            synchronized (this) {
                if (lags == lagMicros.length) {
                    lagMicros = Arrays.copyOf(lagMicros, lags * 2);
                }
                lagMicros[lags++] = lag;
            }
        }
    }

    synchronized void reset() {
        count.set(0);
        lags = 0;
    }

    long count() {
        return count.get();
    }

    long lastNanos() {
        return lastNanos;
    }

    /** From the first delivery to the last, in s. */
    double seconds() {
        return (lastNanos - firstNanos) / 1e9;
    }

    double perSecond() {
        return count() / seconds();
    }

    /** The lag's percentile in ms (NaN when no delivery carried a receive time). */
    synchronized double lagMillis(double percent) {
        return Machine.pct(Machine.sorted(Arrays.copyOf(lagMicros, lags)), percent);
    }

    /**
     * Waits until count deliveries came (or drainSeconds passed); returns how long after endNanos the
     * last one came, in s (0 when it came before).
     */
    double awaitCount(long expected, int drainSeconds, long endNanos) throws InterruptedException {
        long deadline = System.nanoTime() + drainSeconds * 1_000_000_000L;
        while (count() < expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return Math.max(0, lastNanos - endNanos) / 1e9;
    }
}
