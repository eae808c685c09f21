package io.mqttintegration.runtime.config;

import io.mqttintegration.runtime.Settings;

/**
 * PID {@code mqtt.integration.ingest}, validated: the queue, the writers and their batches, what a
 * sender is told, and the life of stored messages ({@link Storage}). {@code writers} is read by
 * routes/ingest-pipeline.camel.yaml; it is checked here so an out-of-range value stops the start with
 * the key named.
 */
public record IngestConfig(int queueSize, int batchSize, int writers, int overlapAt, int requestMaxMessages, int commitTimeoutMs,
        int retryAfterSeconds, Storage storage) {

    /**
     * The partitions of mqtt_messages (one per UTC month): how many days ahead of today are covered, how
     * often the maintenance (partitions, then the retention purge) runs, and how long its DDL waits for
     * a lock before it gives up until the next run. Retention in days (0: forever): messages of an
     * organization without its own {@code retentionDays}, dead letters, activity log entries; the
     * purge's deletes go in batches of {@code purgeBatchSize} messages with {@code purgePauseMs} between.
     */
    public record Storage(int partitionDaysAhead, int maintenanceIntervalMinutes, int lockTimeoutMs, int retentionDays,
            int deadLetterRetentionDays, int activityRetentionDays, int purgeBatchSize, int purgePauseMs) {

        /** A retention longer than this (100 years) is a typo, not a policy: 0 keeps forever. */
        public static final int MAX_RETENTION_DAYS = 36_500;

        static Storage from(Settings s) {
            return new Storage(s.integer("storage.partitions.daysAhead", 1, 90),
                    s.integer("storage.maintenance.intervalMinutes", 1, 1440), s.integer("storage.lockTimeoutMs", 10, 60_000),
                    s.integer("retention.days", 0, MAX_RETENTION_DAYS), s.integer("retention.deadLetterDays", 0, MAX_RETENTION_DAYS),
                    s.integer("retention.activityDays", 0, MAX_RETENTION_DAYS), s.integer("retention.purge.batchSize", 1, 100_000),
                    s.integer("retention.purge.pauseMs", 0, 60_000));
        }
    }

    public static IngestConfig from(Settings s) {
        return new IngestConfig(s.integer("ingest.queue.size", 1, 10_000_000), s.integer("ingest.batch.size", 1, 100_000),
                s.integer("ingest.writers", 1, 64), s.integer("ingest.writers.overlapAt", 1, 10_000_000),
                s.integer("ingest.request.maxMessages", 1, 100_000), s.integer("ingest.commit.timeoutMs", 100, 600_000),
                s.integer("ingest.retryAfterSeconds", 1, 3600), Storage.from(s));
    }

    /** As long as a message may take to commit, in whole seconds (at least 1). */
    public int commitTimeoutSeconds() {
        return Math.max(1, commitTimeoutMs / 1000);
    }
}
