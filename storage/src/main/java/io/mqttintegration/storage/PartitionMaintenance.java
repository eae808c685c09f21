package io.mqttintegration.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the partitions of mqtt_messages ready for today and each of the next {@code daysAhead} UTC
 * days (V10: one partition per UTC month of received_at, so each run makes at most the next month's).
 * Run at start and on a schedule; each month is made in a transaction of its own, as the tables'
 * owner, by the migration's function mqi_create_message_partition, which attaches the new table (the
 * parent stays open to reads and writes) and first moves in that month's rows from the default
 * partition. A lock not granted within {@code lockTimeout} (a long query on the default partition)
 * skips it until the next run rather than queueing writers behind the DDL: with the next month made
 * {@code daysAhead} days before it starts, one run that misses costs nothing, and a row whose month
 * has no partition still lands in the default one.
 */
public final class PartitionMaintenance {

    private static final Logger LOG = LoggerFactory.getLogger(PartitionMaintenance.class);
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    /** One partition of mqtt_messages; {@code from}/{@code to} null for an open end or the default partition. */
    public record Partition(String name, Instant from, Instant to, boolean isDefault, long rows, long bytes) {
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final int daysAhead;
    private final Duration lockTimeout;
    private final String listSql = SqlFiles.load("list-message-partitions");

    public PartitionMaintenance(DataSource dataSource, Clock clock, int daysAhead, Duration lockTimeout) {
        if (daysAhead < 1) {
            throw new IllegalArgumentException("daysAhead must be at least 1");
        }
        this.dataSource = dataSource;
        this.clock = clock;
        this.daysAhead = daysAhead;
        this.lockTimeout = lockTimeout;
    }

    /**
     * Makes the missing partitions of the months of today and the next {@code daysAhead} days; returns
     * the names made. A month whose lock was not granted in time is left for the next run (logged).
     *
     * @throws StorageUnavailableException when the database cannot be reached
     */
    public List<String> createAhead() {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        List<String> made = new ArrayList<>();
        for (int d = 0; d <= daysAhead; d++) {
            LocalDate day = today.plusDays(d);
            try {
                String name = create(day);
                if (name != null) {
                    made.add(name);
                }
            } catch (SQLException e) {
                if (LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    LOG.warn("The partition of the month of {} was not made: its locks were not granted within {} ms; next run tries again",
                            day, lockTimeout.toMillis());
                } else if (SqlErrors.isUnavailable(e)) {
                    throw new StorageUnavailableException("database unavailable: " + SqlErrors.describe(e), e);
                } else {
                    throw new IllegalStateException("the partition of " + day + " was not made: " + SqlErrors.describe(e), e);
                }
            }
        }
        if (!made.isEmpty()) {
            LOG.info("Made message partitions {}", made);
        }
        return made;
    }

    private String create(LocalDate day) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement timeout = c.prepareStatement("SELECT set_config('lock_timeout', ?, true)");
                    PreparedStatement ps = c.prepareStatement("SELECT mqi_create_message_partition(?)")) {
                timeout.setString(1, lockTimeout.toMillis() + "ms");
                timeout.execute();
                ps.setObject(1, day);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    String name = rs.getString(1);
                    c.commit();
                    return name;
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The partitions, oldest first, the default partition last; rows and bytes are PostgreSQL's estimates. */
    public List<Partition> partitions() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(listSql);
                ResultSet rs = ps.executeQuery()) {
            List<Partition> partitions = new ArrayList<>();
            while (rs.next()) {
                partitions.add(new Partition(rs.getString(1), instant(rs.getObject(2, OffsetDateTime.class)),
                        instant(rs.getObject(3, OffsetDateTime.class)), rs.getBoolean(4), rs.getLong(5), rs.getLong(6)));
            }
            return partitions;
        } catch (SQLException e) {
            if (SqlErrors.isUnavailable(e)) {
                throw new StorageUnavailableException("database unavailable: " + SqlErrors.describe(e), e);
            }
            throw new IllegalStateException("partitions not listed: " + SqlErrors.describe(e), e);
        }
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
