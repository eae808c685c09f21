package io.mqttintegration.bench;

import io.mqttintegration.storage.SqlFiles;
import io.mqttintegration.storage.Tenancy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The plan of one of the service's named queries ({@code EXPLAIN ANALYZE}), run as the service runs it:
 * role {@code mqi_app} in one organization (row-level security applies) with JIT off, reached through a
 * superuser connection with the service's scope statement ({@code Tenancy.enter}) and rolled back.
 */
final class QueryPlan {

    private static final Pattern SCANNED = Pattern.compile(" on (mqtt_messages_\\w+)");

    private QueryPlan() {
    }

    /**
     * Prints the plan of a named query file with these parameters (in the order of its {@code ?};
     * Integer as a number, null as NULL, anything else quoted).
     */
    static void print(DataSource superuser, String organizationId, String file, String what, Object[] params) throws Exception {
        try (Connection c = superuser.getConnection(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            // the service's own scope statement: role mqi_app, the organization, JIT off
            Tenancy.enter(c, UUID.fromString(organizationId), false);
            String sql = SqlFiles.load(file);
            for (Object p : params) {
                sql = sql.replaceFirst("\\?", Matcher.quoteReplacement(
                        p == null ? "NULL" : p instanceof Integer ? p.toString() : "'" + p + "'"));
            }
            System.out.println("plan of " + what + ":");
            int lines = 0;
            Set<String> partitions = new TreeSet<>();
            Set<String> pruned = new TreeSet<>();
            try (ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) " + sql)) {
                while (rs.next()) {
                    // Hundreds of partitions make long plans: their first lines, the partitions read, the summary.
                    String line = rs.getString(1);
                    Matcher m = SCANNED.matcher(line);
                    boolean read = false;
                    if (m.find()) {
                        // pruned at run time (the receive months the ts bounds ruled out): never executed
                        read = !line.contains("never executed");
                        (read ? partitions : pruned).add(m.group(1));
                    }
                    if (lines++ < 16 || line.contains("Planning Time") || line.contains("Execution Time")
                            || line.contains("Subplans Removed") || (read && partitions.size() <= 3)) {
                        System.out.println("  " + line);
                    } else if (lines == 17) {
                        System.out.println("  ...");
                    }
                }
            }
            pruned.removeAll(partitions);
            System.out.printf("  partitions read: %d%s%s%n", partitions.size(), partitions.size() <= 3 ? " " + partitions : "",
                    pruned.isEmpty() ? "" : " (" + pruned.size() + " more in the plan, pruned at run time: never executed)");
            c.rollback();
        }
    }
}
