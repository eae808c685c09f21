package io.mqttintegration.runtime.subscriptions;

import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.internal.CommsCallback;

/**
 * One client's view of the shared {@link ClientThreads}: the same pools, and it knows whether the
 * client's callback loop (Paho's {@link CommsCallback}, the thread that delivers its messages) still
 * runs. Closing it closes nothing: the pools are the node's.
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
final class ClientLoops extends ClientThreads {

    private final AtomicInteger callbackLoops = new AtomicInteger();

    ClientLoops(ClientThreads shared) {
        super(shared);
    }

    /** Whether no callback loop of this client runs (none started yet, or the last one has returned). */
    boolean callbackEnded() {
        return callbackLoops.get() == 0;
    }

    @Override
    public Future<?> submit(Runnable task) {
        if (!(task instanceof CommsCallback)) {
            return super.submit(task);
        }
        // Counted while it runs, not from its submission: Paho cancels the future of a loop that a
        // failed connect submitted, and a loop cancelled before it ran never ends.
        return super.submit(() -> {
            callbackLoops.incrementAndGet();
            try {
                task.run();
            } finally {
                callbackLoops.decrementAndGet();
            }
        });
    }

    /** The node's pools: a client's view does not close them. */
    @Override
    public void close() {
    }
}
