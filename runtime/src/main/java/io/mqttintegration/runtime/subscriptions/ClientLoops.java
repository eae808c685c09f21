package io.mqttintegration.runtime.subscriptions;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.internal.CommsCallback;

/**
 * One client's view of the shared {@link ClientThreads}: everything goes to them, and it knows
 * whether the client's callback loop (Paho's {@link CommsCallback}, the thread that delivers its
 * messages) still runs.
 *
 * <p>Why (Paho v5 1.2.5, {@code CommsCallback.start}, called by every connect): a client keeps one
 * callback object for all its connections. {@code start} submits a new loop only when the old one
 * has already ended; when it has not (it is still delivering a message as the connection goes, and
 * a subscription's callback thread now waits for room in its window), {@code start} submits nothing
 * and then waits for a loop that never comes, sleeping 100 ms at a time, with the TCP connection
 * open and no CONNECT sent. Its sibling {@code CommsSender.start} has the same loop, and that one
 * was seen stuck (a PUBACK queued while disconnected: see {@code SubscriptionClient#acknowledge}).
 * So the subscription's client connects only once {@link #callbackEnded} (see
 * {@code SubscriptionSupervisor#connect}). {@code ClientLoopsTest} fails when Paho no longer runs
 * its callback loop through this executor.
 */
final class ClientLoops extends AbstractExecutorService implements ScheduledExecutorService {

    private final ClientThreads threads;
    private final AtomicInteger callbackLoops = new AtomicInteger();

    ClientLoops(ClientThreads threads) {
        this.threads = threads;
    }

    /** Whether no callback loop of this client runs (none started yet, or the last one has returned). */
    boolean callbackEnded() {
        return callbackLoops.get() == 0;
    }

    @Override
    public Future<?> submit(Runnable task) {
        if (!(task instanceof CommsCallback)) {
            return threads.submit(task);
        }
        callbackLoops.incrementAndGet();
        try {
            return threads.submit(() -> {
                try {
                    task.run();
                } finally {
                    callbackLoops.decrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            callbackLoops.decrementAndGet();
            throw e;
        }
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return threads.submit(task, result);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return threads.submit(task);
    }

    @Override
    public void execute(Runnable command) {
        threads.execute(command);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return threads.schedule(command, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return threads.schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return threads.scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return threads.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    /** Shared: a client cannot shut it down. */
    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return threads.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return threads.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return threads.awaitTermination(timeout, unit);
    }
}
