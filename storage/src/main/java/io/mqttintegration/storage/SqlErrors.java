package io.mqttintegration.storage;

import java.sql.SQLException;

/** Tells a row PostgreSQL refuses (bad data) from a database that is not there. */
final class SqlErrors {

    private SqlErrors() {
    }

    /**
     * SQLSTATE class 22 (data exception: NUL in text, numeric overflow ...) or 23 (integrity
     * constraint): retrying the same row will fail again, so it belongs in dead letters.
     */
    static boolean isRowError(SQLException e) {
        for (SQLException s = e; s != null; s = s.getNextException()) {
            String state = s.getSQLState();
            if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
                return true;
            }
            if (s.getCause() instanceof SQLException cause && cause != s && isRowError(cause)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The database could not be reached or is not taking work (SQLSTATE class 08 connection, 53
     * resources, 57 operator intervention, or no state at all, as when the pool times out).
     */
    static boolean isUnavailable(SQLException e) {
        String state = e.getSQLState();
        return state == null || state.startsWith("08") || state.startsWith("53") || state.startsWith("57");
    }

    /** A one-line reason safe to store in a text column (no NUL, bounded). */
    static String describe(Throwable e) {
        Throwable root = e;
        if (e instanceof SQLException s && s.getNextException() != null) {
            root = s.getNextException();
        }
        String text = root.getClass().getSimpleName() + ": " + root.getMessage();
        return sanitize(text);
    }

    static String sanitize(String text) {
        String clean = text.replace('\u0000', '\uFFFD');
        return clean.length() <= 2000 ? clean : clean.substring(0, 2000) + "...";
    }
}
