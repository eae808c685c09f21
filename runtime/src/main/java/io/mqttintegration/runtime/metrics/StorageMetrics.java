package io.mqttintegration.runtime.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.runtime.storage.StorageMaintenance;
import io.mqttintegration.storage.PartitionMaintenance.Partition;
import io.mqttintegration.storage.RetentionPurge;
import java.util.function.ToDoubleFunction;

/**
 * The storage's gauges in /metrics: the partitions of mqtt_messages with PostgreSQL's estimates of
 * their rows and bytes, as the last maintenance run read them (a scrape never queries the database),
 * and what the last retention purge did (0 until one has run since the start).
 */
public final class StorageMetrics {

    private StorageMetrics() {
    }

    public static void register(MeterRegistry registry, StorageMaintenance storage) {
        Gauge.builder("mqi.storage.partitions", storage, s -> s.lastSeenPartitions().size())
                .description("Partitions of mqtt_messages, the default one included.").register(registry);
        Gauge.builder("mqi.storage.rows", storage, s -> s.lastSeenPartitions().stream().mapToLong(Partition::rows).sum())
                .description("Rows of mqtt_messages, PostgreSQL's estimate (pg_class.reltuples).").register(registry);
        Gauge.builder("mqi.storage.bytes", storage, s -> s.lastSeenPartitions().stream().mapToLong(Partition::bytes).sum())
                .description("Bytes of mqtt_messages' partitions: heap, indexes and TOAST.").register(registry);
        Gauge.builder("mqi.storage.default_partition.rows", storage,
                s -> s.lastSeenPartitions().stream().filter(Partition::isDefault).mapToLong(Partition::rows).sum())
                .description("Rows in mqtt_messages_default (estimate): rows whose month had no partition; "
                        + "above 0, the partitions are not made ahead.").register(registry);
        purge(registry, storage, "mqi.retention.last_purge.timestamp_seconds", "When the last purge started (Unix seconds).",
                r -> r.at().toEpochMilli() / 1000.0);
        purge(registry, storage, "mqi.retention.last_purge.duration_seconds", "How long the last purge took.",
                r -> r.took().toNanos() / 1e9);
        purge(registry, storage, "mqi.retention.last_purge.deleted_rows", "Message rows the last purge deleted in batches.",
                RetentionPurge.Result::deletedRows);
        purge(registry, storage, "mqi.retention.last_purge.dropped_partitions", "Partitions the last purge dropped whole.",
                r -> r.droppedPartitions().size());
        purge(registry, storage, "mqi.retention.last_purge.dropped_rows", "Rows the dropped partitions held (estimate).",
                RetentionPurge.Result::droppedRows);
        purge(registry, storage, "mqi.retention.last_purge.dead_letters", "Dead letters the last purge deleted.",
                RetentionPurge.Result::deadLetters);
        purge(registry, storage, "mqi.retention.last_purge.activity", "Activity log entries the last purge deleted.",
                RetentionPurge.Result::activity);
    }

    private static void purge(MeterRegistry registry, StorageMaintenance storage, String name, String description,
            ToDoubleFunction<RetentionPurge.Result> value) {
        Gauge.builder(name, storage, s -> s.lastPurge().map(value::applyAsDouble).orElse(0.0)).description(description)
                .register(registry);
    }
}
