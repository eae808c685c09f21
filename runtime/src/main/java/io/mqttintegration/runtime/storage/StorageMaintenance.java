package io.mqttintegration.runtime.storage;

import io.mqttintegration.storage.PartitionMaintenance;
import io.mqttintegration.storage.RetentionPurge;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage's housekeeping on a timer of its own (one daemon thread, never a Camel or HTTP thread):
 * the partitions of mqtt_messages made ahead, then the retention purge, then the partitions' sizes
 * read for /metrics. A run that fails (database down) is logged and the next one tries again; the
 * timer never stops on a failure.
 */
public final class StorageMaintenance implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StorageMaintenance.class);

    private final PartitionMaintenance partitions;
    private final RetentionPurge purge;
    private volatile List<PartitionMaintenance.Partition> seen = List.of();
    private final Object running = new Object();
    private ScheduledExecutorService timer;

    public StorageMaintenance(PartitionMaintenance partitions, RetentionPurge purge) {
        this.partitions = partitions;
        this.purge = purge;
    }

    /**
     * At the service's start, before any message is taken: today's partition and the days ahead. A
     * failure here is a broken database, not a busy one (a lock not granted only skips a day), and
     * stops the start. The purge waits for the first scheduled run.
     */
    public void start() {
        synchronized (running) {
            partitions.createAhead();
            seen = partitions.partitions();
        }
    }

    /** One run; never throws. Returns whether it completed. */
    public boolean run() {
        synchronized (running) {
            try {
                partitions.createAhead();
                purge.run();
                seen = partitions.partitions();
                return true;
            } catch (RuntimeException e) {
                LOG.warn("Storage maintenance did not complete (next run in its interval): {}", e.getMessage());
                return false;
            }
        }
    }

    /** The partitions as the last run saw them (estimates; /metrics reads these, not the database). */
    public List<PartitionMaintenance.Partition> lastSeenPartitions() {
        return seen;
    }

    /** The partitions now (the console). */
    public List<PartitionMaintenance.Partition> partitions() {
        return partitions.partitions();
    }

    public Optional<RetentionPurge.Result> lastPurge() {
        return purge.last();
    }

    public RetentionPurge.Settings retention() {
        return purge.settings();
    }

    /** Runs one minute after the start, then every {@code intervalMinutes}. */
    public synchronized void schedule(int intervalMinutes) {
        if (timer != null) {
            throw new IllegalStateException("already scheduled");
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mqi-storage-maintenance");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::run, 1, intervalMinutes, TimeUnit.MINUTES);
    }

    /** Stops the timer; a purge under way stops at its next pause (its batches are committed one by one). */
    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
