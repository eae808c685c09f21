package io.mqttintegration.runtime.ingest;

import java.util.function.IntSupplier;

/**
 * When a free writer starts its batch. With no other batch being written it starts at once (quiet,
 * a message waits for one commit and no more). While another batch is being written it starts
 * only once {@code overlapAt} messages are queued, else it waits for that batch to end and then
 * takes everything queued by then: a commit costs about the same for 1 row as for 50, so many
 * small concurrent batches spend the CPU that the requests need (bench/HISTORY.md, "the event loop and writers that take turns").
 */
public final class WriterTurns {

    private final int overlapAt;
    private final Object lock = new Object();
    private int writing;
    /** Writers waiting for their turn (read without the lock by {@link #queued}). */
    private volatile int waiting;

    /** @param overlapAt messages queued that make a batch worth a commit beside another one */
    public WriterTurns(int overlapAt) {
        if (overlapAt < 1) {
            throw new IllegalArgumentException("overlapAt must be at least 1");
        }
        this.overlapAt = overlapAt;
    }

    /**
     * Waits for this writer's turn, then counts its batch as being written until {@link #end}.
     * Interrupted (the pipeline is stopping), it stops waiting and writes.
     */
    public void begin(IntSupplier queued) {
        synchronized (lock) {
            boolean interrupted = false;
            waiting++;
            while (writing > 0 && queued.getAsInt() < overlapAt && !interrupted) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            waiting--;
            writing++;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A batch has been written (or failed): the next writer may go. */
    public void end() {
        synchronized (lock) {
            writing--;
            lock.notifyAll();
        }
    }

    /** The queue has grown to {@code queued} messages: a writer that waits for them may go. */
    public void queued(int queued) {
        if (waiting > 0 && queued >= overlapAt) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    /** Batches being written now. */
    public int writing() {
        synchronized (lock) {
            return writing;
        }
    }
}
