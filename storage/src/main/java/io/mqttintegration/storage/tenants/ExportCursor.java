package io.mqttintegration.storage.tenants;

import io.mqttintegration.storage.Tenancy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Rows of one query read through a PostgreSQL server-side cursor, one at a time, inside one
 * organization's read-only transaction: pgjdbc fetches {@code fetchSize} rows per round trip when
 * autocommit is off, so memory holds one fetch, not the result. The cursor owns its connection
 * until {@link #close()} (idempotent, callable from any thread: it waits for a fetch in progress).
 */
public final class ExportCursor<T> implements AutoCloseable {

    /** Sets the query's parameters. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Makes the current row into a value. */
    @FunctionalInterface
    interface Mapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private final Connection connection;
    private final PreparedStatement statement;
    private final ResultSet rows;
    private final Mapper<T> mapper;
    private boolean closed;

    private ExportCursor(Connection connection, PreparedStatement statement, ResultSet rows, Mapper<T> mapper) {
        this.connection = connection;
        this.statement = statement;
        this.rows = rows;
        this.mapper = mapper;
    }

    /**
     * Set in the export's transaction before its query. PostgreSQL plans a query for its total cost,
     * even when it is read through a cursor: for a large range it sorts the whole range (on disk,
     * 46 MB for 500,000 rows) before the first row. Without a plain sort it walks the receive-time
     * index and sorts only the rows that share a receive time (an incremental sort, 29 kB), so rows
     * flow at once and the database holds no copy of the export either.
     */
    static final String PLANNER_SETTINGS = "SET LOCAL enable_sort = off";

    /** Opens the transaction, runs the query and fetches its first {@code fetchSize} rows. */
    static <T> ExportCursor<T> open(Tenancy tenancy, UUID org, String sql, int fetchSize, Binder binder, Mapper<T> mapper) {
        Connection c = tenancy.openInOrg(org);
        PreparedStatement ps = null;
        try {
            try (java.sql.Statement settings = c.createStatement()) {
                settings.execute(PLANNER_SETTINGS);
            }
            ps = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
            ps.setFetchSize(fetchSize);
            binder.bind(ps);
            return new ExportCursor<>(c, ps, ps.executeQuery(), mapper);
        } catch (SQLException | RuntimeException e) {
            release(c, ps, null, e);
            throw e instanceof SQLException s ? Tenancy.translate(s) : (RuntimeException) e;
        }
    }

    /** The next row, or null after the last (the cursor then closes itself). */
    public synchronized T next() {
        if (closed) {
            throw new IllegalStateException("export cursor closed");
        }
        try {
            if (rows.next()) {
                return mapper.map(rows);
            }
        } catch (SQLException e) {
            close();
            throw Tenancy.translate(e);
        }
        close();
        return null;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Ends the transaction (rollback: it only read) and gives the connection back. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            release(connection, statement, rows, null);
        }
    }

    private static void release(Connection c, PreparedStatement ps, ResultSet rs, Exception failure) {
        try (c) {
            try (ps; rs) {
                // closes the portal first, then the statement
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            // The connection is closed anyway; a broken one is dropped by the pool.
            if (failure != null) {
                failure.addSuppressed(e);
            }
        }
    }
}
