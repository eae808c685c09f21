package io.mqttintegration.runtime.console;

import io.mqttintegration.runtime.storage.StorageMaintenance;
import io.mqttintegration.spi.console.ConsoleAnswer;
import io.mqttintegration.spi.console.ConsoleTable;
import io.mqttintegration.storage.PartitionMaintenance;
import io.mqttintegration.storage.RetentionPurge;
import java.util.List;
import java.util.Optional;

/** The console's answer about storage: partitions, retention, the last purge ({@code mqtt:storage}). */
record StorageAnswers(StorageMaintenance storage) {

    /**
     * mqtt:storage: the partitions of mqtt_messages, oldest first, with PostgreSQL's estimates of their
     * rows (pg_class.reltuples, kept by ANALYZE and autovacuum: 0 before the first) and their bytes
     * (heap, indexes, TOAST); the retention in force; the last purge. With {@code purge}, runs the
     * maintenance (partitions ahead, then the purge) now, first.
     */
    public ConsoleAnswer storage(boolean purge) {
        String before = "";
        if (purge) {
            before = storage().run() ? "maintenance ran\n" : "maintenance did not complete: see the log\n";
        }
        ConsoleTable table = new ConsoleTable("PARTITION", "FROM", "TO", "ROWS (EST.)", "BYTES");
        long rows = 0;
        long bytes = 0;
        List<PartitionMaintenance.Partition> partitions = storage().partitions();
        for (PartitionMaintenance.Partition part : partitions) {
            table.row(part.name(), part.isDefault() ? "(default)" : part.from() == null ? "(all before)" : part.from(),
                    part.isDefault() ? "(default)" : part.to(), part.rows(), part.bytes());
            rows += part.rows();
            bytes += part.bytes();
        }
        table.row(partitions.size() + " partitions", "", "", rows, bytes);
        StringBuilder out = new StringBuilder();
        RetentionPurge.Settings r = storage().retention();
        out.append("retention (days, 0 = forever): messages ").append(r.defaultDays())
                .append(" unless an organization sets its own, dead letters ").append(r.deadLetterDays())
                .append(", activity ").append(r.activityDays()).append("; purge batches of ").append(r.batchSize())
                .append(" messages, ").append(r.pause().toMillis()).append(" ms apart\n");
        Optional<RetentionPurge.Result> last = storage().lastPurge();
        if (last.isEmpty()) {
            out.append("last purge: none since the start\n");
        } else {
            RetentionPurge.Result l = last.get();
            out.append("last purge: ").append(l.at()).append(" in ").append(l.took().toMillis()).append(" ms: ")
                    .append(l.deletedRows()).append(" message rows deleted, ").append(l.droppedPartitions().size())
                    .append(" partitions dropped ").append(l.droppedPartitions()).append(" (~").append(l.droppedRows())
                    .append(" rows), ").append(l.clientMessageIds()).append(" client message ids, ").append(l.deadLetters())
                    .append(" dead letters, ").append(l.activity()).append(" activity entries\n");
        }
        return new ConsoleAnswer(before, table, out.toString());
    }
}
