package io.mqttintegration.storage.sinks;

import io.mqttintegration.parsers.TopicFilter;
import io.mqttintegration.storage.SqlFiles;
import io.mqttintegration.storage.Tenancy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Sinks, read and written within one organization (row-level security as for integrations), with
 * their backlogs and dead letters. Writes take the caller's scoped transaction, so the activity log's
 * row commits with them.
 */
public final class SinkStore {

    /** A sink's backlog: messages in its outbox, the oldest one's receive time (or null), and how many wait for a retry. */
    public record Backlog(long messages, Instant oldestReceivedAt, long retrying) {
    }

    /** A sink as the operator sees it: the node delivering it (null when none holds its lease) and its backlog. */
    public record Overview(SinkRecord sink, String deliveringNode, Backlog backlog) {
    }

    private final Tenancy tenancy;
    private final String insertSql = SqlFiles.load("insert-sink");
    private final String updateSql = SqlFiles.load("update-sink");
    private final String getSql = SqlFiles.load("get-sink");
    private final String listSql = SqlFiles.load("list-sinks");
    private final String deleteSql = SqlFiles.load("delete-sink");
    private final String deadLettersSql = SqlFiles.load("list-sink-dead-letters");
    private final String replaySql = SqlFiles.load("replay-sink-dead-letters");
    private final String listAllSql = SqlFiles.load("list-all-sinks");

    public SinkStore(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    /** @throws IllegalArgumentException a topic filter that is not one */
    public SinkRecord insert(Connection c, SinkRecord s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insertSql)) {
            uuid(ps, 1, s.id());
            uuid(ps, 2, s.organizationId());
            uuid(ps, 3, s.integrationId());
            ps.setString(4, s.name());
            ps.setString(5, s.kind());
            ps.setString(6, s.settingsJson());
            ps.setBytes(7, s.sealedSecrets());
            ps.setString(8, s.topicFilter());
            ps.setString(9, TopicFilter.toRegex(s.topicFilter()));
            ps.setString(10, s.deviceId());
            ps.setString(11, s.body());
            ps.setString(12, s.include());
            ps.setBoolean(13, s.paused());
            ps.setInt(14, s.maxAttempts());
            return single(ps).orElseThrow();
        }
    }

    /** Everything but the id, organization, integration and kind, which never change. */
    public Optional<SinkRecord> update(Connection c, SinkRecord s) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(updateSql)) {
            ps.setString(1, s.name());
            ps.setString(2, s.settingsJson());
            ps.setBytes(3, s.sealedSecrets());
            ps.setString(4, s.topicFilter());
            ps.setString(5, TopicFilter.toRegex(s.topicFilter()));
            ps.setString(6, s.deviceId());
            ps.setString(7, s.body());
            ps.setString(8, s.include());
            ps.setBoolean(9, s.paused());
            ps.setInt(10, s.maxAttempts());
            uuid(ps, 11, s.organizationId());
            uuid(ps, 12, s.id());
            return single(ps);
        }
    }

    public Optional<SinkRecord> get(UUID organizationId, UUID id) {
        return tenancy.inOrg(organizationId, c -> get(c, organizationId, id));
    }

    public Optional<SinkRecord> get(Connection c, UUID organizationId, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(getSql)) {
            uuid(ps, 1, organizationId);
            uuid(ps, 2, id);
            return single(ps);
        }
    }

    /** An integration's sinks, by name. */
    public List<SinkRecord> list(UUID organizationId, UUID integrationId) {
        return tenancy.inOrg(organizationId, c -> {
            try (PreparedStatement ps = c.prepareStatement(listSql)) {
                uuid(ps, 1, organizationId);
                uuid(ps, 2, integrationId);
                return all(ps);
            }
        });
    }

    /**
     * Operator view (the console): the sinks of every organization, or of one, or of one integration
     * (each null for all), by organization, integration and name, each with the node that delivers it
     * and its backlog, read in one transaction.
     */
    public List<Overview> overview(UUID organizationIdOrNull, UUID integrationIdOrNull, int limit) {
        return tenancy.asOperator(c -> {
            List<SinkRecord> sinks = new ArrayList<>();
            List<String> nodes = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(listAllSql)) {
                uuid(ps, 1, organizationIdOrNull);
                uuid(ps, 2, organizationIdOrNull);
                uuid(ps, 3, integrationIdOrNull);
                uuid(ps, 4, integrationIdOrNull);
                ps.setInt(5, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sinks.add(map(rs));
                        nodes.add(rs.getString(16));
                    }
                }
            }
            List<Overview> all = new ArrayList<>(sinks.size());
            for (int i = 0; i < sinks.size(); i++) {
                all.add(new Overview(sinks.get(i), nodes.get(i), backlog(c, sinks.get(i).id())));
            }
            return all;
        });
    }

    /** The sink with its outbox and dead letters. */
    public boolean delete(Connection c, UUID organizationId, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(deleteSql)) {
            uuid(ps, 1, organizationId);
            uuid(ps, 2, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 1;
            }
        }
    }

    public Backlog backlog(UUID organizationId, UUID sinkId) {
        return tenancy.inOrg(organizationId, c -> backlog(c, sinkId));
    }

    private static final String BACKLOG_SQL = SqlFiles.load("sink-backlog");

    static Backlog backlog(Connection c, UUID sinkId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(BACKLOG_SQL)) {
            uuid(ps, 1, sinkId);
            uuid(ps, 2, sinkId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                OffsetDateTime oldest = rs.getObject(2, OffsetDateTime.class);
                return new Backlog(rs.getLong(1), oldest == null ? null : oldest.toInstant(), rs.getLong(3));
            }
        }
    }

    /** The newest dead letters of a sink first (an event's with the event itself). */
    public List<SinkDeadLetter> deadLetters(UUID organizationId, UUID sinkId, int limit) {
        return tenancy.inOrg(organizationId, c -> {
            try (PreparedStatement ps = c.prepareStatement(deadLettersSql)) {
                uuid(ps, 1, organizationId);
                uuid(ps, 2, sinkId);
                ps.setInt(3, limit);
                List<SinkDeadLetter> page = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        page.add(new SinkDeadLetter(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                                rs.getObject(4, OffsetDateTime.class), rs.getString(5), rs.getInt(6), rs.getString(7),
                                rs.getObject(8, OffsetDateTime.class), rs.getObject(9, OffsetDateTime.class), rs.getString(10)));
                    }
                }
                return page;
            }
        });
    }

    /**
     * Puts dead letters back into the sink's outbox (the given ones, or every one not replayed yet
     * when {@code ids} is empty), oldest message first; returns how many.
     */
    public int replay(Connection c, UUID organizationId, UUID sinkId, List<UUID> ids) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(replaySql)) {
            uuid(ps, 1, organizationId);
            uuid(ps, 2, sinkId);
            ps.setArray(3, c.createArrayOf("uuid", ids.toArray()));
            ps.setArray(4, c.createArrayOf("uuid", ids.toArray()));
            return ps.executeUpdate();
        }
    }

    static void uuid(PreparedStatement ps, int index, UUID value) throws SQLException {
        ps.setObject(index, value, Types.OTHER);
    }

    private static Optional<SinkRecord> single(PreparedStatement ps) throws SQLException {
        List<SinkRecord> all = all(ps);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    static List<SinkRecord> all(PreparedStatement ps) throws SQLException {
        List<SinkRecord> all = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                all.add(map(rs));
            }
        }
        return all;
    }

    private static SinkRecord map(ResultSet rs) throws SQLException {
        return new SinkRecord(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                rs.getString(4), rs.getString(5), rs.getString(6), rs.getBytes(7), rs.getString(8), rs.getString(9),
                rs.getString(10), rs.getString(11), rs.getBoolean(12), rs.getInt(13), rs.getObject(14, OffsetDateTime.class),
                rs.getObject(15, OffsetDateTime.class));
    }
}
