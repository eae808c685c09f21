package io.mqttintegration.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what has outlived its retention: messages (per organization: its own {@code retention_days},
 * else the node's default; 0 keeps forever), their client message ids, dead letters and the activity
 * log (one retention each). A partition of mqtt_messages goes whole with one DROP when every
 * organization that has rows in it lets them all go (or it is empty and past every retention); in any
 * other partition an organization's expired rows leave in batches of {@code batchSize} messages, one
 * short transaction each, with {@code pause} between them, so the purge never holds a lock for long
 * nor one huge transaction. The DROP takes ACCESS EXCLUSIVE on the partition and its parent for a
 * catalog change, under {@code lockTimeout}: a drop that would wait longer is left for the next run.
 * Runs as the tables' owner with the operator's scope (the partitions are not the service role's).
 */
public final class RetentionPurge {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionPurge.class);
    private static final String LOCK_NOT_AVAILABLE = "55P03";
    private static final long DAY_SECONDS = 86_400;

    /**
     * @param defaultDays messages of an organization without its own retention (and rows without one); 0: forever
     * @param deadLetterDays dead letters, by their creation; 0: forever
     * @param activityDays activity log entries, by their creation; 0: forever
     * @param batchSize messages (or entries) per delete transaction
     * @param pause between two delete batches
     */
    public record Settings(int defaultDays, int deadLetterDays, int activityDays, int batchSize, Duration pause,
            Duration lockTimeout) {

        public Settings {
            if (defaultDays < 0 || deadLetterDays < 0 || activityDays < 0 || batchSize < 1 || pause.isNegative()) {
                throw new IllegalArgumentException("retention days >= 0, batch size >= 1, pause >= 0");
            }
        }
    }

    /** What one purge did; {@code droppedRows} is PostgreSQL's estimate of the rows the dropped partitions held. */
    public record Result(Instant at, Duration took, long deletedRows, List<String> droppedPartitions, long droppedRows,
            long clientMessageIds, long deadLetters, long activity) {
    }

    private final DataSource dataSource;
    private final PartitionMaintenance partitions;
    private final Clock clock;
    private final Settings settings;
    private final AtomicReference<Result> last = new AtomicReference<>();
    private final String organizationsSql = SqlFiles.load("list-organization-retention");
    private final String partitionOrganizationsSql = SqlFiles.load("list-partition-organizations");
    private final String messagesBatchSql = SqlFiles.load("purge-messages-batch");
    private final String keysBatchSql = SqlFiles.load("purge-client-message-ids-batch");
    private final String deadLettersBatchSql = SqlFiles.load("purge-dead-letters-batch");
    private final String activityBatchSql = SqlFiles.load("purge-activity-batch");

    public RetentionPurge(DataSource dataSource, PartitionMaintenance partitions, Clock clock, Settings settings) {
        this.dataSource = dataSource;
        this.partitions = partitions;
        this.clock = clock;
        this.settings = settings;
    }

    /** The last purge that completed, if any since the start. */
    public Optional<Result> last() {
        return Optional.ofNullable(last.get());
    }

    public Settings settings() {
        return settings;
    }

    /**
     * One purge; empty when another node of the deployment is purging right now (one at a time: a
     * session advisory lock held for the purge's length, on a connection of its own).
     *
     * @throws StorageUnavailableException when the database cannot be reached (what was deleted stays deleted)
     */
    public Optional<Result> run() {
        try (Connection guard = dataSource.getConnection()) {
            guard.setAutoCommit(true);
            if (!advisoryLock(guard, "pg_try_advisory_lock")) {
                LOG.info("Retention purge skipped: another node is purging");
                return Optional.empty();
            }
            try {
                return Optional.of(purge());
            } finally {
                advisoryLock(guard, "pg_advisory_unlock");
            }
        } catch (SQLException e) {
            if (SqlErrors.isUnavailable(e)) {
                throw new StorageUnavailableException("database unavailable: " + SqlErrors.describe(e), e);
            }
            throw new IllegalStateException("retention purge failed: " + SqlErrors.describe(e), e);
        }
    }

    private static boolean advisoryLock(Connection c, String function) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + function + "(hashtext('mqi_retention_purge'))");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private Result purge() {
        Instant now = clock.instant();
        long start = System.nanoTime();
        try {
            Map<UUID, Integer> days = retentionDays();
            Counts counts = new Counts();
            purgeMessages(now, days, counts);
            purgeKeys(now, days, counts);
            if (settings.deadLetterDays() > 0) {
                counts.deadLetters = batches(deadLettersBatchSql, null, now.minusSeconds(settings.deadLetterDays() * DAY_SECONDS));
            }
            if (settings.activityDays() > 0) {
                counts.activity = batches(activityBatchSql, null, now.minusSeconds(settings.activityDays() * DAY_SECONDS));
            }
            Result result = new Result(now, Duration.ofNanos(System.nanoTime() - start), counts.deletedRows,
                    List.copyOf(counts.dropped), counts.droppedRows, counts.keys, counts.deadLetters, counts.activity);
            last.set(result);
            if (result.deletedRows() + result.droppedPartitions().size() + result.clientMessageIds() + result.deadLetters()
                    + result.activity() > 0) {
                LOG.info("Retention purge: {} message rows deleted, partitions dropped {} (~{} rows), {} client message ids, "
                        + "{} dead letters, {} activity entries, in {} ms", result.deletedRows(), result.droppedPartitions(),
                        result.droppedRows(), result.clientMessageIds(), result.deadLetters(), result.activity(),
                        result.took().toMillis());
            }
            return result;
        } catch (SQLException e) {
            if (SqlErrors.isUnavailable(e)) {
                throw new StorageUnavailableException("database unavailable: " + SqlErrors.describe(e), e);
            }
            throw new IllegalStateException("retention purge failed: " + SqlErrors.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("retention purge interrupted", e);
        }
    }

    private static final class Counts {
        long deletedRows;
        final List<String> dropped = new ArrayList<>();
        long droppedRows;
        long keys;
        long deadLetters;
        long activity;
    }

    /** Each organization's days to keep (0: forever); the key null stands for rows without an organization. */
    private Map<UUID, Integer> retentionDays() throws SQLException {
        Map<UUID, Integer> days = new HashMap<>();
        try (Connection c = operator()) {
            try (PreparedStatement ps = c.prepareStatement(organizationsSql); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID org = rs.getObject(1, UUID.class);
                    int own = rs.getInt(2);
                    days.put(org, rs.wasNull() ? settings.defaultDays() : own);
                }
            }
            c.commit();
        }
        days.put(null, settings.defaultDays());
        return days;
    }

    private static Instant cutoff(Instant now, int days) {
        return now.minusSeconds(days * DAY_SECONDS);
    }

    private void purgeMessages(Instant now, Map<UUID, Integer> days, Counts counts) throws SQLException, InterruptedException {
        int shortest = days.values().stream().filter(d -> d > 0).min(Integer::compare).orElse(0);
        if (shortest == 0) {
            return; // everybody keeps everything
        }
        Instant newestCutoff = cutoff(now, shortest);
        for (PartitionMaintenance.Partition p : partitions.partitions()) {
            if (!p.isDefault() && p.from() != null && !p.from().isBefore(newestCutoff)) {
                continue; // nothing in it is old enough for anybody
            }
            if (!p.isDefault() && p.to() != null) {
                Drop drop = tryDrop(p, now, newestCutoff, days);
                if (drop == Drop.DROPPED) {
                    counts.dropped.add(p.name());
                    counts.droppedRows += p.rows();
                }
                if (drop != Drop.NOT_ALL_EXPIRED) {
                    continue; // dropped, or to be dropped by the next run: never deleted row by row
                }
            }
            for (UUID org : organizationsIn(p.name())) {
                int keep = days.getOrDefault(org, settings.defaultDays());
                if (keep == 0) {
                    continue;
                }
                Instant cut = cutoff(now, keep);
                if (p.from() != null && !p.from().isBefore(cut)) {
                    continue;
                }
                counts.deletedRows += deleteMessages(p.name(), org, cut);
            }
        }
    }

    /** Whether every row of the partition is past its organization's retention (an empty one: past the shortest). */
    private static boolean allExpired(Set<UUID> present, PartitionMaintenance.Partition p, Instant now, Instant newestCutoff,
            Map<UUID, Integer> days, int defaultDays) {
        if (present.isEmpty()) {
            return !p.to().isAfter(newestCutoff);
        }
        for (UUID org : present) {
            int keep = days.getOrDefault(org, defaultDays);
            if (keep == 0 || p.to().isAfter(cutoff(now, keep))) {
                return false;
            }
        }
        return true;
    }

    private enum Drop { DROPPED, LOCK_BUSY, NOT_ALL_EXPIRED }

    /**
     * Drops the partition if all its rows are expired: decided again under its lock (taken within the
     * lock timeout), so no row written meanwhile goes with it.
     */
    private Drop tryDrop(PartitionMaintenance.Partition p, Instant now, Instant newestCutoff, Map<UUID, Integer> days)
            throws SQLException {
        if (!allExpired(organizationsIn(p.name()), p, now, newestCutoff, days, settings.defaultDays())) {
            return Drop.NOT_ALL_EXPIRED;
        }
        try (Connection c = operator()) {
            try {
                try (PreparedStatement timeout = c.prepareStatement("SELECT set_config('lock_timeout', ?, true)")) {
                    timeout.setString(1, settings.lockTimeout().toMillis() + "ms");
                    timeout.execute();
                }
                try (PreparedStatement lock = c.prepareStatement("LOCK TABLE " + quote(p.name()) + " IN ACCESS EXCLUSIVE MODE")) {
                    lock.execute();
                }
                if (!allExpired(organizationsIn(c, p.name()), p, now, newestCutoff, days, settings.defaultDays())) {
                    c.rollback();
                    return Drop.NOT_ALL_EXPIRED;
                }
                try (PreparedStatement drop = c.prepareStatement("DROP TABLE " + quote(p.name()))) {
                    drop.execute();
                }
                c.commit();
                return Drop.DROPPED;
            } catch (SQLException e) {
                c.rollback();
                if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    LOG.warn("Partition {} is expired but its lock was not granted within {} ms; next purge tries again",
                            p.name(), settings.lockTimeout().toMillis());
                    return Drop.LOCK_BUSY;
                }
                throw e;
            }
        }
    }

    private Set<UUID> organizationsIn(String partition) throws SQLException {
        try (Connection c = operator()) {
            Set<UUID> found = organizationsIn(c, partition);
            c.commit();
            return found;
        }
    }

    private Set<UUID> organizationsIn(Connection c, String partition) throws SQLException {
        Set<UUID> found = new LinkedHashSet<>();
        try (PreparedStatement ps = c.prepareStatement(partitionOrganizationsSql.replace("{partition}", quote(partition)));
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                found.add(rs.getObject(1, UUID.class));
            }
        }
        return found;
    }

    /** The organization's messages received before {@code cut} in one partition, in batches; returns the rows deleted. */
    private long deleteMessages(String partition, UUID org, Instant cut) throws SQLException, InterruptedException {
        String sql = messagesBatchSql.replace("{partition}", quote(partition))
                .replace("{organization}", org == null ? "organization_id IS NULL" : "organization_id = ?::uuid");
        long rows = 0;
        boolean more = true;
        while (more) {
            try (Connection c = operator(); PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (org != null) {
                    ps.setObject(i++, org);
                }
                ps.setObject(i++, OffsetDateTime.ofInstant(cut, ZoneOffset.UTC));
                ps.setInt(i, settings.batchSize());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    more = rs.getLong(1) == settings.batchSize();
                    rows += rs.getLong(2);
                }
                c.commit();
            }
            if (more) {
                pause();
            }
        }
        return rows;
    }

    private void purgeKeys(Instant now, Map<UUID, Integer> days, Counts counts) throws SQLException, InterruptedException {
        for (Map.Entry<UUID, Integer> org : days.entrySet()) {
            if (org.getValue() > 0) {
                counts.keys += batches(keysBatchSql.replace("{organization}",
                        org.getKey() == null ? "organization_id IS NULL" : "organization_id = ?::uuid"),
                        org.getKey(), cutoff(now, org.getValue()));
            }
        }
    }

    /**
     * Runs a "delete at most ? older than ?" statement (of one organization, when given) until a batch
     * deletes fewer than a batch; returns the rows.
     */
    private long batches(String sql, UUID org, Instant olderThan) throws SQLException, InterruptedException {
        long rows = 0;
        int n;
        do {
            try (Connection c = operator(); PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (org != null) {
                    ps.setObject(i++, org);
                }
                ps.setObject(i++, OffsetDateTime.ofInstant(olderThan, ZoneOffset.UTC));
                ps.setInt(i, settings.batchSize());
                n = ps.executeUpdate();
                c.commit();
            }
            rows += n;
            if (n == settings.batchSize()) {
                pause();
            }
        } while (n == settings.batchSize());
        return rows;
    }

    private void pause() throws InterruptedException {
        if (!settings.pause().isZero()) {
            Thread.sleep(settings.pause().toMillis());
        }
    }

    /** A connection in a transaction with the operator's scope, as the tables' owner (autocommit off). */
    private Connection operator() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config('mqi.operator', 'on', true)")) {
                ps.execute();
            }
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
