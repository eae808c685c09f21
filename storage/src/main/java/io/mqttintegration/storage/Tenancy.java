package io.mqttintegration.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Runs database work inside one transaction as the role {@code mqi_app}, for one organization or
 * as the operator. PostgreSQL's row-level security then shows and accepts only that organization's
 * rows, whatever the SQL says (see V2__tenant_isolation.sql): a second wall behind the stores' own
 * {@code organization_id} filters.
 */
public final class Tenancy {

    /** Work on a connection whose transaction is already scoped. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;

    public Tenancy(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public <T> T inOrg(UUID organizationId, Work<T> work) {
        if (organizationId == null) {
            throw new IllegalArgumentException("organization required");
        }
        return transaction(organizationId, false, work);
    }

    public <T> T asOperator(Work<T> work) {
        return transaction(null, true, work);
    }

    /**
     * One statement on an unscoped autocommit connection: only for the SECURITY DEFINER lookups
     * that scope themselves (mqi_live_api_key), where a scoped transaction would cost four round
     * trips on every request.
     */
    public <T> T lookup(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            return work.run(c);
        } catch (SQLException e) {
            if (SqlErrors.isUnavailable(e)) {
                throw new StorageUnavailableException("database unavailable: " + SqlErrors.describe(e), e);
            }
            throw new IllegalStateException("database refused the statement: " + SqlErrors.describe(e), e);
        }
    }

    /**
     * A read-only transaction scoped to one organization that the caller keeps open across many
     * calls (a streamed export reading through a server-side cursor) and must close: closing the
     * connection rolls the transaction back and gives the connection back.
     */
    public Connection openInOrg(UUID organizationId) {
        if (organizationId == null) {
            throw new IllegalArgumentException("organization required");
        }
        Connection c = null;
        try {
            c = dataSource.getConnection();
            c.setAutoCommit(false);
            c.setReadOnly(true);
            enter(c, organizationId, false);
            return c;
        } catch (SQLException e) {
            if (c != null) {
                try {
                    c.rollback();
                    c.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw translate(e);
        }
    }

    /** The exception a store throws for a failed statement: unavailable (503) or refused (a bug). */
    public static RuntimeException translate(SQLException e) {
        if (SqlErrors.isUnavailable(e)) {
            return new StorageUnavailableException("database unavailable: " + SqlErrors.describe(e), e);
        }
        return new IllegalStateException("database refused the statement: " + SqlErrors.describe(e), e);
    }

    private <T> T transaction(UUID organizationId, boolean operator, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                enter(c, organizationId, operator);
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            if (SqlErrors.isUnavailable(e)) {
                throw new StorageUnavailableException("database unavailable: " + SqlErrors.describe(e), e);
            }
            throw new IllegalStateException("database refused the statement: " + SqlErrors.describe(e), e);
        }
    }

    /**
     * The statement that scopes the current transaction (autocommit off): role mqi_app, and the
     * organization or the operator flag, both reset at commit or rollback. Its two parameters are set
     * by {@link #bindScope}. One statement, one round trip: set_config('role', ..., true) is SET LOCAL
     * ROLE. A writer sends it in the same round trip as its INSERT (statements joined by ';'); with
     * autocommit on, both run in the implicit transaction PostgreSQL commits at their one Sync.
     *
     * <p>It also turns PostgreSQL's JIT compilation off for the transaction: the service's statements
     * are short index reads and batched inserts, and a plan over many partitions is costed above
     * {@code jit_above_cost} while it runs in milliseconds. Where the server has LLVM (Debian's and most
     * distributions' packages; on by default), the newest reading of 1,000 devices took 2.9 s, compiling,
     * instead of milliseconds (bench/HISTORY.md, "Telemetry queries on the assembly (data lifecycle)").
     */
    public static final String SCOPE = "SELECT set_config('role', 'mqi_app', true), set_config('mqi.org_id', ?, true),"
            + " set_config('mqi.operator', ?, true), set_config('jit', 'off', true)";

    /** Scopes the current transaction (autocommit off) with {@link #SCOPE}. */
    public static void enter(Connection c, UUID organizationId, boolean operator) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SCOPE)) {
            bindScope(ps, 1, organizationId, operator);
            ps.execute();
        }
    }

    /** Sets the parameters of {@link #SCOPE} in a statement where its first one is {@code first}; returns the next. */
    public static int bindScope(PreparedStatement ps, int first, UUID organizationId, boolean operator) throws SQLException {
        ps.setString(first, organizationId == null ? "" : organizationId.toString());
        ps.setString(first + 1, operator ? "on" : "off");
        return first + 2;
    }
}
