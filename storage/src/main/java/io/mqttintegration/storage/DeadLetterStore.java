package io.mqttintegration.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.sql.Types;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps messages that could not be stored or processed in {@code dead_letters}, with the reason
 * and the route that gave up on them, and counts them.
 */
public final class DeadLetterStore {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStore.class);

    private final DataSource dataSource;
    private final String insertSql = SqlFiles.load("insert-dead-letter");
    private final String listSql = SqlFiles.load("list-dead-letters");
    private final String getSql = SqlFiles.load("get-dead-letter");
    private final String markReplayedSql = SqlFiles.load("mark-dead-letter-replayed");
    private final String pageSql = SqlFiles.load("page-dead-letters");
    private final AtomicLong kept = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();

    public DeadLetterStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Keeps the message in its own transaction and completes its outcome: {@link StoreOutcome#DEAD_LETTERED}
     * once committed, or exceptionally when even that fails (the sender then sees the failure).
     */
    public void store(InboundMessage message, String reason, String routeId) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            insert(c, message, SqlErrors.sanitize(reason), routeId);
            c.commit();
            message.outcome().complete(StoreOutcome.DEAD_LETTERED);
        } catch (SQLException | RuntimeException e) {
            lost.incrementAndGet();
            LOG.error("Dead letter for {} from route {} could not be kept ({}); reason was: {}",
                    message, routeId, SqlErrors.describe(e), reason);
            message.outcome().completeExceptionally(
                    new StorageUnavailableException("database did not keep the dead letter", e));
        }
    }

    /** Inserts on the caller's connection and transaction (autocommit off), scoped to the message's organization. */
    void insert(Connection c, InboundMessage m, String reason, String routeId) throws SQLException {
        Tenancy.enter(c, m.organizationId(), m.organizationId() == null);
        try (PreparedStatement ps = c.prepareStatement(insertSql)) {
            ps.setObject(1, UUID.randomUUID());
            ps.setObject(2, m.id());
            ps.setObject(3, m.organizationId(), Types.OTHER);
            ps.setObject(4, m.integrationId(), Types.OTHER);
            ps.setString(5, m.source().name().toLowerCase(Locale.ROOT));
            ps.setString(6, SqlErrors.sanitize(m.topic()));
            ps.setBytes(7, m.payload());
            ps.setString(8, reason);
            ps.setString(9, routeId);
            ps.executeUpdate();
        }
        kept.incrementAndGet();
        LOG.warn("Kept {} as a dead letter (route {}): {}", m, routeId, reason);
    }

    /** The newest dead letters of every organization (operator view: the console). */
    public List<DeadLetter> newest(int limit) throws SQLException {
        try (Connection c = operatorConnection(); PreparedStatement ps = c.prepareStatement(listSql)) {
            ps.setInt(1, limit);
            List<DeadLetter> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(map(rs));
                }
            }
            c.commit();
            return found;
        }
    }

    public Optional<DeadLetter> find(UUID id) throws SQLException {
        try (Connection c = operatorConnection(); PreparedStatement ps = c.prepareStatement(getSql)) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                Optional<DeadLetter> found = rs.next() ? Optional.of(map(rs)) : Optional.empty();
                c.commit();
                return found;
            }
        }
    }

    /**
     * One organization's dead letters, newest first, optionally of one integration, older than the
     * cursor's ({@code beforeCreatedAt}, {@code beforeId}) when given; read under the organization's
     * row-level security.
     */
    public List<DeadLetter> page(UUID organizationId, UUID integrationId, OffsetDateTime beforeCreatedAt, UUID beforeId, int limit)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            Tenancy.enter(c, organizationId, false);
            try (PreparedStatement ps = c.prepareStatement(pageSql)) {
                ps.setObject(1, organizationId, Types.OTHER);
                ps.setObject(2, integrationId, Types.OTHER);
                ps.setObject(3, integrationId, Types.OTHER);
                ps.setObject(4, beforeCreatedAt, Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setObject(5, beforeCreatedAt, Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setObject(6, beforeId, Types.OTHER);
                ps.setInt(7, limit);
                List<DeadLetter> found = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(map(rs));
                    }
                }
                c.commit();
                return found;
            }
        }
    }

    /** Marks a dead letter replayed (its message was stored again); false when it already was. */
    public boolean markReplayed(UUID id) throws SQLException {
        try (Connection c = operatorConnection(); PreparedStatement ps = c.prepareStatement(markReplayedSql)) {
            ps.setObject(1, id);
            boolean marked = ps.executeUpdate() == 1;
            c.commit();
            return marked;
        }
    }

    private Connection operatorConnection() throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
            Tenancy.enter(c, null, true);
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    private static DeadLetter map(ResultSet rs) throws SQLException {
        return new DeadLetter(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                rs.getObject(4, UUID.class), rs.getString(5), rs.getString(6), rs.getBytes(7), rs.getString(8),
                rs.getString(9), rs.getObject(10, OffsetDateTime.class), rs.getObject(11, OffsetDateTime.class));
    }

    /** Dead letters committed since start. */
    public long kept() {
        return kept.get();
    }

    /** Dead letters that could not be committed either (the sender was told). */
    public long lost() {
        return lost.get();
    }
}
