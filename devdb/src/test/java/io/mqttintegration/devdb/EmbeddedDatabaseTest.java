package io.mqttintegration.devdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedDatabaseTest {

    @TempDir
    Path dir;

    @Test
    void durableInstanceKeepsDataBetweenStartsAndSyncsCommits() throws Exception {
        Path data = dir.resolve("pg");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(data, 0, true)) {
            db.ensureDatabase("mqi", "mqi", "secret");
            db.ensureDatabase("mqi", "mqi", "secret");
            try (Connection c = db.dataSource("mqi").getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE kept (v int)");
                st.execute("INSERT INTO kept VALUES (42)");
                assertEquals("on", show(st, "fsync"), "the run command's database must fsync");
                assertEquals("on", show(st, "synchronous_commit"));
            }
        }
        assertFalse(Files.exists(data.resolve("postmaster.pid")), "close() stops the server");
        try (EmbeddedDatabase db = EmbeddedDatabase.start(data, 0, true);
                Connection c = db.dataSource("mqi").getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT v FROM kept")) {
            assertTrue(rs.next(), "rows survive a restart on the same data folder");
            assertEquals(42, rs.getInt(1));
        }
    }

    private static String show(Statement st, String setting) throws Exception {
        try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
