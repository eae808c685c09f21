package io.mqttintegration.storage.sinks;

import io.mqttintegration.storage.SqlFiles;
import io.mqttintegration.storage.Tenancy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The delivering side of the sinks, as the operator (every organization's): which sinks this node
 * delivers (a lease per sink, so one node at a time delivers a sink, in order), the next messages of
 * a sink, and what became of them: delivered (deleted), to be tried again later, or dead letters.
 */
public final class SinkOutbox {

    private final Tenancy tenancy;
    private final String claimSql = SqlFiles.load("claim-sinks");
    private final String releaseSql = SqlFiles.load("release-sinks");
    private final String pageSql = SqlFiles.load("sink-page");
    private final String deliveredSql = SqlFiles.load("sink-delivered");
    private final String retrySql = SqlFiles.load("sink-retry");
    private final String deadLetterSql = SqlFiles.load("sink-dead-letter");
    private final String overBacklogSql = SqlFiles.load("sink-over-backlog");

    public SinkOutbox(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    /**
     * Renews this node's leases and takes the sinks no live node holds, up to {@code max}, for
     * {@code lease}; lets go of the ones it held beyond them (paused, deleted, or over {@code max}).
     * Returns the sinks this node delivers now.
     */
    public List<SinkRecord> claim(String node, Duration lease, int max) {
        return tenancy.asOperator(c -> {
            List<SinkRecord> mine;
            try (PreparedStatement ps = c.prepareStatement(claimSql)) {
                ps.setString(1, node);
                ps.setString(2, node);
                ps.setInt(3, max);
                ps.setString(4, node);
                ps.setDouble(5, lease.toMillis() / 1000.0);
                mine = SinkStore.all(ps);
            }
            try (PreparedStatement ps = c.prepareStatement(releaseSql)) {
                ps.setString(1, node);
                ps.setArray(2, c.createArrayOf("uuid", mine.stream().map(SinkRecord::id).toArray()));
                ps.executeUpdate();
            }
            return mine;
        });
    }

    /** Lets go of every sink this node holds (it stops): another node takes them at once. */
    public void releaseAll(String node) {
        tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(releaseSql)) {
                ps.setString(1, node);
                ps.setArray(2, c.createArrayOf("uuid", new Object[0]));
                return ps.executeUpdate();
            }
        });
    }

    /**
     * The next messages of a sink, in outbox order, up to {@code limit}: those due, except those of a
     * device with an earlier message waiting for its retry. A device's presence events are in the
     * same order (an event's row carries the event, {@link OutboxEntry#eventJson}).
     *
     * @param readings with each message's readings (a sink whose body is made of them)
     */
    public List<OutboxEntry> next(UUID sinkId, int limit, boolean readings) {
        return next(sinkId, limit, readings, List.of());
    }

    /**
     * As {@link #next(UUID, int, boolean)}, leaving out the rows the caller holds already (queued,
     * in flight, or delivered and not yet deleted).
     */
    public List<OutboxEntry> next(UUID sinkId, int limit, boolean readings, Collection<Long> held) {
        return tenancy.asOperator(c -> {
            // The outbox is a queue: rows arrive and leave faster than autovacuum's statistics follow, and with
            // an estimate of a few hundred rows PostgreSQL scanned the whole table (dead rows included) and sorted
            // it, 78 ms a page with a 25,000-row backlog, where the primary key's index in seq order stops at the
            // page's end (34 ms, measured on the assembly). For this transaction only.
            try (PreparedStatement off = c.prepareStatement("SELECT set_config('enable_seqscan', 'off', true)")) {
                off.execute();
            }
            try (PreparedStatement ps = c.prepareStatement(pageSql)) {
                SinkStore.uuid(ps, 1, sinkId);
                ps.setArray(2, c.createArrayOf("bigint", held.toArray()));
                ps.setInt(3, limit);
                ps.setBoolean(4, readings);
                List<OutboxEntry> page = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        page.add(new OutboxEntry(rs.getLong(1), rs.getObject(2, UUID.class), rs.getObject(3, OffsetDateTime.class),
                                rs.getString(4), rs.getInt(5), rs.getObject(6, UUID.class), rs.getString(7), rs.getString(8),
                                rs.getBytes(9), rs.getString(10), rs.getString(11), rs.getString(12)));
                    }
                }
                return page;
            }
        });
    }

    /** The receiver took these: they leave the outbox. */
    public void delivered(UUID sinkId, List<Long> seqs) {
        if (seqs.isEmpty()) {
            return;
        }
        tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(deliveredSql)) {
                SinkStore.uuid(ps, 1, sinkId);
                ps.setArray(2, c.createArrayOf("bigint", seqs.toArray()));
                return ps.executeUpdate();
            }
        });
    }

    /** A delivery failed: the message is tried again after {@code delay} (its device's later ones wait). */
    public void retryLater(UUID sinkId, long seq, Duration delay, String error) {
        tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(retrySql)) {
                ps.setDouble(1, delay.toMillis() / 1000.0);
                ps.setString(2, error);
                SinkStore.uuid(ps, 3, sinkId);
                ps.setLong(4, seq);
                return ps.executeUpdate();
            }
        });
    }

    /** These become the sink's dead letters, with the reason. */
    public int deadLetter(UUID sinkId, List<Long> seqs, String reason) {
        if (seqs.isEmpty()) {
            return 0;
        }
        return tenancy.asOperator(c -> deadLetter(c, sinkId, seqs, reason));
    }

    private int deadLetter(Connection c, UUID sinkId, List<Long> seqs, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(deadLetterSql)) {
            SinkStore.uuid(ps, 1, sinkId);
            ps.setArray(2, c.createArrayOf("bigint", seqs.toArray()));
            ps.setString(3, reason);
            return ps.executeUpdate();
        }
    }

    /**
     * The sink's backlog; when it holds more than {@code bound} messages, the oldest beyond the bound
     * become dead letters first ("over the backlog bound"), so that a dead receiver cannot grow the
     * outbox without end. Returns the backlog after that, and how many were moved.
     */
    public Bounded bound(UUID sinkId, long bound) {
        return tenancy.asOperator(c -> {
            SinkStore.Backlog before = SinkStore.backlog(c, sinkId);
            if (before.messages() <= bound) {
                return new Bounded(before, 0);
            }
            List<Long> over = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(overBacklogSql)) {
                SinkStore.uuid(ps, 1, sinkId);
                ps.setLong(2, bound);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        over.add(rs.getLong(1));
                    }
                }
            }
            int moved = deadLetter(c, sinkId, over, "over the backlog bound of " + bound + " messages");
            return new Bounded(SinkStore.backlog(c, sinkId), moved);
        });
    }

    /** A sink's backlog after {@link #bound}, and how many messages went over the bound into its dead letters. */
    public record Bounded(SinkStore.Backlog backlog, int deadLettered) {
    }
}
