package io.mqttintegration.runtime.storage;

import io.mqttintegration.storage.PartitionMaintenance;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage's housekeeping on a timer of its own (one daemon thread, never a Camel or HTTP thread):
 * the partitions of mqtt_messages made ahead. A run that fails (database down) is logged and the next
 * one tries again; the timer never stops on a failure.
 */
public final class StorageMaintenance implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StorageMaintenance.class);

    private final PartitionMaintenance partitions;
    private ScheduledExecutorService timer;

    public StorageMaintenance(PartitionMaintenance partitions) {
        this.partitions = partitions;
    }

    /** One run; never throws. Returns whether it completed. */
    public boolean run() {
        try {
            partitions.createAhead();
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Storage maintenance did not complete (next run in its interval): {}", e.getMessage());
            return false;
        }
    }

    /** Runs every {@code intervalMinutes}, the first after one interval (the start runs one itself). */
    public synchronized void schedule(int intervalMinutes) {
        if (timer != null) {
            throw new IllegalStateException("already scheduled");
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mqi-storage-maintenance");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::run, intervalMinutes, intervalMinutes, TimeUnit.MINUTES);
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }
}
