package io.mqttintegration.bench;

import io.mqttintegration.storage.PartitionMaintenance;
import io.mqttintegration.storage.RetentionPurge;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Single-message HTTP ingestion on the built assembly with and without a retention purge running
 * (issue 17). {@code rows} readings of the bench organization are loaded two months back, in the
 * same monthly partition as the readings of an organization that keeps everything, so the purge
 * cannot drop the partition and deletes the expired rows in batches: the expensive case. The bench
 * organization's retention is then set to 30 days. Two windows of {@code wrk} follow the warm-up,
 * the first without the purge, the second while the service's own purge ({@link RetentionPurge},
 * the shipped batch of 5,000 messages and pause of 100 ms) runs against the same database from this
 * process. The messages stored in each window are counted among this month's rows, so the rows the
 * purge deletes do not enter the figure.
 *
 * <pre>bench/run.sh assembly-purge [rows=3000000] [connections=50] [seconds=20]
 * JAVA_OPTS="-Dbench.purgeBatchSize=1000 -Dbench.purgePauseMs=250" bench/run.sh assembly-purge   (other purge settings)</pre>
 */
public final class AssemblyPurgeBench {

    public static void main(String[] args) {
        Machine.runThenExit(args, AssemblyPurgeBench::run);
    }

    private static void run(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 3_000_000L;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        System.out.printf("assembly ingestion during a retention purge: %,d expired rows, wrk -t2 -c%d, %d s windows; load %s%n",
                rows, connections, seconds, Machine.load());
        try (AssemblyStack stack = AssemblyStack.start(null, Integer.getInteger("bench.maxSeconds", 1800))) {
            AssemblyStack.Tenant tenant = stack.tenant("bench");
            String[] integration = stack.integrationWithIngestKey(tenant, "{\"host\":\"127.0.0.1\"}");
            AssemblyStack.Tenant keeper = stack.tenant("keeper");
            String keeperIntegration = stack.integrationWithIngestKey(keeper, "{\"host\":\"127.0.0.1\"}")[0];
            LocalDate old = LocalDate.now(ZoneOffset.UTC).withDayOfMonth(10).minusMonths(2);
            long loadStart = System.nanoTime();
            try (Connection c = stack.superuser.getConnection(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT mqi_create_message_partition(DATE '" + old + "')")) {
                    rs.next();
                }
                for (long first = 0; first < rows; first += 1_000_000) {
                    load(st, tenant.organizationId(), integration[0], old, first, Math.min(rows, first + 1_000_000) - 1);
                }
                load(st, keeper.organizationId(), keeperIntegration, old, 0, 9_999);
                st.execute("UPDATE organizations SET retention_days = 30 WHERE id = '" + tenant.organizationId() + "'");
                st.execute("UPDATE organizations SET retention_days = 0 WHERE id = '" + keeper.organizationId() + "'");
                st.execute("ANALYZE mqtt_messages");
            }
            System.out.printf("loaded %,d rows of %s (and 10,000 of an organization that keeps everything) in %.0f s%n", rows, old,
                    (System.nanoTime() - loadStart) / 1e9);

            Path script = AssemblyHttpBench.wrkScript(stack.work, integration[1], 1);
            AssemblyHttpBench.wrk(stack, script, connections, Integer.getInteger("bench.warmupSeconds", 45), false);

            double before = window(stack, script, connections, seconds, "without a purge");

            PartitionMaintenance partitions = new PartitionMaintenance(stack.superuser, Clock.systemUTC(), 7, Duration.ofSeconds(2));
            // The shipped retention.purge.batchSize and retention.purge.pauseMs, unless told otherwise.
            int batch = Integer.getInteger("bench.purgeBatchSize", 5000);
            int pauseMs = Integer.getInteger("bench.purgePauseMs", 100);
            System.out.printf("the purge: batches of %,d messages, %d ms apart%n", batch, pauseMs);
            RetentionPurge purge = new RetentionPurge(stack.superuser, partitions, Clock.systemUTC(),
                    new RetentionPurge.Settings(0, 0, 0, batch, Duration.ofMillis(pauseMs), Duration.ofSeconds(2)));
            long expiredBefore = expired(stack, tenant.organizationId(), old);
            long purgeStart = System.nanoTime();
            CompletableFuture<Optional<RetentionPurge.Result>> running = CompletableFuture.supplyAsync(purge::run);
            double during = window(stack, script, connections, seconds, "while the purge runs");
            long deletedInWindow = expiredBefore - expired(stack, tenant.organizationId(), old);
            System.out.printf("the purge deleted %,d of the %,d expired messages during the window (%,.0f messages/s)%n",
                    deletedInWindow, expiredBefore, deletedInWindow / (double) seconds);
            Optional<RetentionPurge.Result> result = running.get();
            System.out.printf("the purge finished after %.0f s: %s%n", (System.nanoTime() - purgeStart) / 1e9,
                    result.map(Object::toString).orElse("skipped (another purge held the lock)"));
            System.out.printf("ratio: %.0f msg/s while purging = %.1f %% of %.0f msg/s without%n", during, 100 * during / before, before);
        }
    }

    private static void load(Statement st, String org, String integration, LocalDate day, long first, long last) throws Exception {
        st.execute("INSERT INTO mqtt_messages (message_id, seq, organization_id, integration_id, source, topic, payload,"
                + " device_id, ts, metrics, parse_status, received_at)"
                + " SELECT gen_random_uuid(), 0, '" + org + "', '" + integration + "', 'http',"
                + " 'bench/devices/d-' || (i % 1000) || '/telemetry', convert_to('{\"temperature\":21.5}', 'UTF8'),"
                + " 'd-' || (i % 1000), timestamptz '" + day + "T00:00:00Z' + (i % 86400) * interval '1 second',"
                + " jsonb_build_object('temperature', 21.5, 'seq', i), 'parsed',"
                + " timestamptz '" + day + "T00:00:00Z' + (i % 86400) * interval '1 second'"
                + " FROM generate_series(" + first + ", " + last + ") i");
    }

    private static long expired(AssemblyStack stack, String org, LocalDate day) throws Exception {
        return stack.sqlLong("SELECT count(*) FROM mqtt_messages WHERE organization_id = '" + org + "' AND received_at >= '"
                + day + "T00:00:00Z' AND received_at < '" + day.plusDays(1) + "T00:00:00Z'");
    }

    /** One wrk window; the messages stored in it, counted among this month's rows, per second. */
    private static double window(AssemblyStack stack, Path script, int connections, int seconds, String what) throws Exception {
        String recent = "SELECT count(*) FROM mqtt_messages WHERE seq = 0 AND received_at >= now() - interval '1 hour'";
        long start = System.nanoTime();
        long stored = stack.sqlLong(recent);
        List<String> out = AssemblyHttpBench.wrk(stack, script, connections, seconds, true);
        stack.settle();
        double elapsed = (System.nanoTime() - start) / 1e9;
        double rate = (stack.sqlLong(recent) - stored) / elapsed;
        System.out.printf("wrk -t2 -c%d -d%ds --latency, %s:%n", connections, seconds, what);
        out.forEach(l -> System.out.println("  | " + l));
        System.out.printf("  stored in the window: %.0f msg/s; load %s%n", rate, Machine.load());
        return rate;
    }
}
