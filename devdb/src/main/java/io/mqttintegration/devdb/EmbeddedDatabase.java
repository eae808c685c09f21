package io.mqttintegration.devdb;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL server from zonky's binaries (downloaded from Maven Central): the zero-setup
 * database of the run command and of the tests.
 *
 * <p>zonky's defaults are test-grade ({@code fsync=off}); a durable instance turns fsync and
 * synchronous commit back on. A postgres left running by a killed JVM keeps its data folder
 * locked and zonky would silently attach to it, so {@link #start} stops such an orphan first.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * @param dataDir  where the cluster lives (kept between runs), or null for a throw-away folder
     * @param port     TCP port on 127.0.0.1, or 0 for a free one
     * @param durable  fsync and synchronous_commit on (the run command); off for tests
     */
    public static EmbeddedDatabase start(Path dataDir, int port, boolean durable) throws IOException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "100");
        if (durable) {
            builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on");
        }
        if (dataDir != null) {
            Files.createDirectories(dataDir);
            stopOrphan(dataDir);
            builder.setDataDirectory(dataDir).setCleanDataDirectory(false);
        }
        if (port > 0) {
            builder.setPort(port);
        }
        return new EmbeddedDatabase(builder.start());
    }

    public int port() {
        return postgres.getPort();
    }

    /** A DataSource for the superuser on the given database. */
    public DataSource dataSource(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {port()});
        ds.setDatabaseName(database);
        ds.setUser("postgres");
        ds.setReWriteBatchedInserts(true);
        return ds;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database + "?reWriteBatchedInserts=true";
    }

    /** Creates the login role (with CREATEROLE) and the database it owns, if missing. */
    public void ensureDatabase(String database, String user, String password) throws SQLException {
        try (Connection c = dataSource("postgres").getConnection(); Statement st = c.createStatement()) {
            // CREATEROLE: the schema migrations create the non-owner role the service works as (mqi_app).
            if (!exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", user)) {
                st.execute("CREATE ROLE " + quoteIdent(user) + " LOGIN CREATEROLE PASSWORD " + quoteLiteral(password));
            } else {
                st.execute("ALTER ROLE " + quoteIdent(user) + " CREATEROLE");
            }
            if (!exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", database)) {
                st.execute("CREATE DATABASE " + quoteIdent(database) + " OWNER " + quoteIdent(user));
            }
        }
    }

    /**
     * Makes the server ask this role for its password on TCP connections from 127.0.0.1 (an
     * embedded server trusts everyone), so a test proves the password really reaches the driver.
     */
    public void requirePassword(String user) throws SQLException, java.io.IOException {
        try (Connection c = dataSource("postgres").getConnection(); Statement st = c.createStatement()) {
            java.nio.file.Path hba;
            try (java.sql.ResultSet rs = st.executeQuery("SHOW hba_file")) {
                rs.next();
                hba = java.nio.file.Path.of(rs.getString(1));
            }
            String rule = "host all " + quoteIdent(user) + " 127.0.0.1/32 scram-sha-256\n";
            String current = java.nio.file.Files.readString(hba);
            if (!current.contains(rule)) {
                java.nio.file.Files.writeString(hba, rule + current);
            }
            st.execute("SELECT pg_reload_conf()");
        }
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static String quoteLiteral(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** Stops a postgres that still runs on this data folder (its JVM died), and waits for it. */
    static void stopOrphan(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        Optional<ProcessHandle> orphan = readPid(pidFile).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
        if (orphan.isEmpty()) {
            return;
        }
        long pid = orphan.get().pid();
        System.out.println("Stopping PostgreSQL left running on " + dataDir + " (pid " + pid + ")");
        // SIGINT is PostgreSQL's "fast" shutdown: clean, without waiting for clients.
        try {
            new ProcessBuilder(List.of("kill", "-INT", Long.toString(pid))).inheritIO().start().waitFor();
            orphan.get().onExit().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping PostgreSQL pid " + pid, e);
        } catch (Exception e) {
            throw new IOException("PostgreSQL pid " + pid + " on " + dataDir + " did not stop", e);
        }
    }

    private static Optional<Long> readPid(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        try {
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
