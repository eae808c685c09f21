package io.mqttintegration.runtime.config;

import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.spi.config.Settings;

/**
 * PID {@code mqtt.integration.ingest}, validated: the queue, the writers and their batches, what a
 * sender is told, and the life of stored messages ({@link Storage}). {@code queueSize}, {@code writers}
 * and {@code overlapAt} are also read by routes/ingest-pipeline.camel.yaml; they are checked here so an
 * out-of-range value stops the start with the key named.
 */
public record IngestConfig(int queueSize, int batchSize, int writers, int overlapAt, int requestMaxMessages, int commitTimeoutMs,
        int retryAfterSeconds, Storage storage) {

    public static final String PID_NAME = "mqtt.integration.ingest";
    public static final ConfigPid PID = new ConfigPid(PID_NAME,
            "mqtt-integration: the ingestion pipeline (queue, batched commits) and the life of stored messages");
    static final ConfigKey QUEUE_SIZE = PID.integer("ingest.queue.size", 10_000, 1, 10_000_000,
            "capacity of the in-memory queue, in messages; a request that does not fit gets 503", "MQI_INGEST_QUEUE_SIZE");
    static final ConfigKey BATCH_SIZE = PID.integer("ingest.batch.size", 1000, 1, 100_000,
            "messages per transaction at most", "MQI_INGEST_BATCH_SIZE");
    static final ConfigKey WRITERS = PID.integer("ingest.writers", 3, 1, 64,
            "batches committed at once, each on a connection of its own", "MQI_INGEST_WRITERS");
    static final ConfigKey OVERLAP_AT = PID.integer("ingest.writers.overlapAt", 200, 1, 10_000_000,
            "while one writer commits, another starts a batch only once this many messages are queued",
            "MQI_INGEST_WRITERS_OVERLAP_AT");
    static final ConfigKey REQUEST_MAX_MESSAGES = PID.integer("ingest.request.maxMessages", 1000, 1, 100_000,
            "messages one HTTP request may carry");
    static final ConfigKey COMMIT_TIMEOUT_MS = PID.integer("ingest.commit.timeoutMs", 5000, 100, 600_000,
            "how long a request waits for its commit before it answers 503 (ms)");
    static final ConfigKey RETRY_AFTER_SECONDS = PID.integer("ingest.retryAfterSeconds", 1, 1, 3600,
            "Retry-After sent with a 503 (s)");
    static final ConfigKey PARTITION_DAYS_AHEAD = PID.integer("storage.partitions.daysAhead", 7, 1, 90,
            "the monthly partitions of today and of this many days ahead are made", "MQI_STORAGE_PARTITIONS_DAYS_AHEAD");
    static final ConfigKey MAINTENANCE_INTERVAL_MINUTES = PID.integer("storage.maintenance.intervalMinutes", 60, 1, 1440,
            "minutes between maintenance runs (partitions, retention)", "MQI_STORAGE_MAINTENANCE_INTERVAL_MINUTES");
    static final ConfigKey LOCK_TIMEOUT_MS = PID.integer("storage.lockTimeoutMs", 2000, 10, 60_000,
            "how long the maintenance's DDL waits for its locks before it gives up until the next run (ms)");
    static final ConfigKey RETENTION_DAYS = PID.integer("retention.days", 0, 0, Storage.MAX_RETENTION_DAYS,
            "days messages are kept (organizations without their own retentionDays); 0 keeps forever", "MQI_RETENTION_DAYS");
    static final ConfigKey DEAD_LETTER_DAYS = PID.integer("retention.deadLetterDays", 0, 0, Storage.MAX_RETENTION_DAYS,
            "days dead letters are kept; 0 keeps forever", "MQI_RETENTION_DEAD_LETTER_DAYS");
    static final ConfigKey ACTIVITY_DAYS = PID.integer("retention.activityDays", 0, 0, Storage.MAX_RETENTION_DAYS,
            "days activity log entries are kept; 0 keeps forever", "MQI_RETENTION_ACTIVITY_DAYS");
    static final ConfigKey PURGE_BATCH_SIZE = PID.integer("retention.purge.batchSize", 5000, 1, 100_000,
            "messages (with their readings) deleted per transaction by the purge");
    static final ConfigKey PURGE_PAUSE_MS = PID.integer("retention.purge.pauseMs", 100, 0, 60_000,
            "pause between two delete batches of the purge (ms)");

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
            return new Storage(s.integer(PARTITION_DAYS_AHEAD), s.integer(MAINTENANCE_INTERVAL_MINUTES), s.integer(LOCK_TIMEOUT_MS),
                    s.integer(RETENTION_DAYS), s.integer(DEAD_LETTER_DAYS), s.integer(ACTIVITY_DAYS), s.integer(PURGE_BATCH_SIZE),
                    s.integer(PURGE_PAUSE_MS));
        }
    }

    public static IngestConfig from(Settings s) {
        return new IngestConfig(s.integer(QUEUE_SIZE), s.integer(BATCH_SIZE), s.integer(WRITERS), s.integer(OVERLAP_AT),
                s.integer(REQUEST_MAX_MESSAGES), s.integer(COMMIT_TIMEOUT_MS), s.integer(RETRY_AFTER_SECONDS), Storage.from(s));
    }

    /** As long as a message may take to commit, in whole seconds (at least 1). */
    public int commitTimeoutSeconds() {
        return Math.max(1, commitTimeoutMs / 1000);
    }
}
