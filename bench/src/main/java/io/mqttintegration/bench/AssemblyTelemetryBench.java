package io.mqttintegration.bench;

import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.ReceiveMonths;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Telemetry queries on a large table, against the built assembly: fills mqtt_messages with N readings
 * of 1,000 devices spread evenly over the last D days (their months' partitions made first), prints
 * the plans of the queries issue 17 names (the last 100 readings of a device, one day of a metric, the
 * newest reading of every device) and the p50/p99 latency of each telemetry endpoint over HTTP, one
 * request at a time from this JVM, with the mean time the service itself timed for the same requests.
 *
 * <pre>
 *   bench/run.sh assembly-telemetry [rows=1000000] [requestsPerEndpoint=300] [days=1]
 *   bench/run.sh assembly-telemetry 30000000 300 365      (issue 17: 30 M rows over a year of partitions)
 * </pre>
 */
public final class AssemblyTelemetryBench {

    private static final int DEVICES = 1000;

    public static void main(String[] args) {
        Machine.runThenExit(args, AssemblyTelemetryBench::run);
    }

    private static void run(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int days = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        long perDevicePerDay = Math.max(1, rows / DEVICES / days);
        // One day of readings per device, evenly spaced: 1,440 minutes / perDevicePerDay.
        double minutesApart = 1440.0 / perDevicePerDay;
        LocalDate first = LocalDate.now(ZoneOffset.UTC).minusDays(days);
        System.out.printf("telemetry queries: %,d rows over %d day(s) from %s (%,d readings per device and day, one every %.1f min),"
                + " %d requests per endpoint; load %s%n", (long) DEVICES * perDevicePerDay * days, days, first, perDevicePerDay,
                minutesApart, requests, Machine.load());
        try (AssemblyStack stack = AssemblyStack.start(null, Integer.getInteger("bench.maxSeconds", 7200))) {
            AssemblyStack.Tenant tenant = stack.tenant("bench");
            String org = tenant.organizationId();
            String integration = stack.integrationWithIngestKey(tenant, "{\"host\":\"127.0.0.1\"}")[0];
            load(stack.superuser, org, integration, first, days, perDevicePerDay, minutesApart);

            LocalDate middle = first.plusDays(days / 2);
            String dayFrom = middle + "T00:00:00Z";
            String dayTo = middle.plusDays(1) + "T00:00:00Z";
            DataSource db = stack.superuser;
            // Readings are read from the receive months whose ts bounds meet the range (ReceiveMonths): the
            // two newest of them first, the others only if they could hold a reading of the page. The plan is
            // of that first statement, with the receive times the service binds (pruned when planning).
            ReceiveMonths all = months(db, org, null, null);
            ReceiveMonths.Span newest = all.recent().orElse(all.all());
            QueryPlan.print(db, org, "telemetry-readings", "the last 100 readings of one device (GET /telemetry?deviceId=d-500&limit=100),"
                    + " received in [" + newest.from() + ", " + newest.to() + ") of " + all.newestFirst().size() + " months",
                    new Object[] {org, newest.from(), newest.to(), null, null, "d-500", "d-500", null, null, null, null, null, null,
                            null, null, null, null, 101});
            ReceiveMonths day = months(db, org, Instant.parse(dayFrom), Instant.parse(dayTo));
            ReceiveMonths.Span dayMonths = day.recent().orElse(day.all());
            QueryPlan.print(db, org, "telemetry-readings", "one day of a metric of one device (GET /telemetry?deviceId=d-500&metric=temp&from&to),"
                    + " received in [" + dayMonths.from() + ", " + dayMonths.to() + ")",
                    new Object[] {org, dayMonths.from(), dayMonths.to(), null, null, "d-500", "d-500", "temp", "temp", dayFrom, dayFrom,
                            dayTo, dayTo, null, null, null, null, 1001});
            // The aggregate takes its receive span from the bounds in the same statement (V13's
            // mqi_received_span): PostgreSQL prunes the other partitions at run time ("never executed").
            QueryPlan.print(db, org, "telemetry-aggregate", "one day of a metric of one device in hours (GET /telemetry/aggregate?bucket=1h)",
                    new Object[] {dayFrom, dayTo, "1 hour", "temp", "temp", "temp", org, null, null, "d-500", "d-500", "temp",
                            dayFrom, dayTo});
            // The devices from the device catalog (V13), then each one's newest reading in the partitions
            // of the last two receive months, then in those whose ts bounds reach it (pruned at run time).
            QueryPlan.print(db, org, "telemetry-latest", "the newest reading of every device (GET /telemetry/latest?integrationId=)",
                    new Object[] {org, integration, integration, org, integration, integration, org, integration, integration});

            String base = stack.base() + "/api/v1";
            String admin = tenant.adminKey();
            HttpClient http = HttpClient.newHttpClient();
            List<Endpoint> endpoints = List.of(
                    new Endpoint("GET /telemetry?deviceId=<d>&limit=100 (last 100 of one device)", requests, false,
                            () -> base + "/telemetry?deviceId=d-" + device() + "&limit=100"),
                    new Endpoint("GET /telemetry?deviceId=<d>&metric=temp&from&to (one day)", requests, false,
                            () -> base + "/telemetry?deviceId=d-" + device() + "&metric=temp&from=" + dayFrom + "&to=" + dayTo
                                    + "&limit=1000"),
                    new Endpoint("GET /telemetry/latest?deviceId=<d>", requests, false, () -> base + "/telemetry/latest?deviceId=d-" + device()),
                    new Endpoint("GET /telemetry/aggregate?deviceId=<d>&metric=temp&bucket=1h (one day)", requests, false,
                            () -> base + "/telemetry/aggregate?deviceId=d-" + device() + "&metric=temp&bucket=1h"
                                    + "&from=" + dayFrom + "&to=" + dayTo),
                    new Endpoint("GET /telemetry/latest?integrationId=<i> (all 1,000 devices)", Math.max(3, requests / 50), true,
                            () -> base + "/telemetry/latest?integrationId=" + integration));
            warmUp(http, endpoints, admin, Integer.getInteger("bench.warmupSeconds", 30));
            for (Endpoint e : endpoints) {
                measure(stack, http, e.requests(), e.what(), e.url(), admin);
            }
        }
    }

    /** The receive months whose ts bounds meet [from, to), as the service reads them (role mqi_app in the organization). */
    private static ReceiveMonths months(DataSource db, String org, Instant from, Instant to) throws Exception {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            Tenancy.enter(c, UUID.fromString(org), false);
            ReceiveMonths months = ReceiveMonths.read(c, from, to, null);
            c.rollback();
            return months;
        }
    }

    /**
     * The readings, loaded by SQL as the superuser (row-level security does not apply to it), then the
     * device catalog and ts bounds the batch writer would have kept, and VACUUM (ANALYZE).
     */
    private static void load(DataSource db, String org, String integration, LocalDate first, int days, long perDevicePerDay,
            double minutesApart) throws Exception {
        long start = System.nanoTime();
        // mqtt_messages is partitioned by UTC month of received_at (V10): the partitions of the range,
        // made as the service makes them (as its role, which then owns them); a reading is received one
        // second after its time.
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            st.execute("SET ROLE mqi");
            for (int d = 0; d <= days; d++) {
                try (ResultSet rs = st.executeQuery("SELECT mqi_create_message_partition(DATE '" + first.plusDays(d) + "')")) {
                    rs.next();
                }
            }
        }
        // One statement per day, generated in PostgreSQL (no client round trips), on two connections.
        ExecutorService loaders = Executors.newFixedThreadPool(2);
        List<Future<?>> loads = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            LocalDate day = first.plusDays(d);
            loads.add(loaders.submit(() -> {
                try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                    st.execute("INSERT INTO mqtt_messages (message_id, seq, organization_id, integration_id, source, topic,"
                            + " payload, content_type, device_id, ts, metrics, parse_status, received_at)"
                            + " SELECT gen_random_uuid(), 0, '" + org + "', '" + integration + "', 'http',"
                            + " 'farm/devices/d-' || d || '/t', '\\x7b7d'::bytea, 'application/json', 'd-' || d, t,"
                            + " jsonb_build_object('temp', round((random() * 30)::numeric, 2), 'rh', (random() * 100)::int),"
                            + " 'parsed', t + INTERVAL '1 second'"
                            + " FROM generate_series(1, " + DEVICES + ") d, generate_series(0, " + (perDevicePerDay - 1) + ") m,"
                            + " LATERAL (SELECT TIMESTAMPTZ '" + day + " 00:00:00+00' + make_interval(secs => m * "
                            + (minutesApart * 60) + ") AS t) x");
                }
                return null;
            }));
        }
        try {
            for (int i = 0; i < loads.size(); i++) {
                loads.get(i).get();
                if ((i + 1) % 30 == 0 || i + 1 == loads.size()) {
                    System.out.printf("  loaded %d of %d days in %d s; load %s%n", i + 1, days,
                            Duration.ofNanos(System.nanoTime() - start).toSeconds(), Machine.load());
                }
            }
        } finally {
            loaders.shutdownNow();
        }
        try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
            // Rows loaded by SQL bypass the batch writer, which keeps the device catalog and the
            // per-month ts bounds (V13): filled here as V13 fills them from existing rows.
            long filling = System.nanoTime();
            st.execute("SELECT set_config('mqi.operator', 'on', false)");
            st.execute("INSERT INTO mqtt_device_catalog (organization_id, integration_id, device_id, first_seen)"
                    + " SELECT organization_id, integration_id, device_id, min(received_at) FROM mqtt_messages"
                    + " WHERE organization_id IS NOT NULL AND integration_id IS NOT NULL AND device_id IS NOT NULL"
                    + " GROUP BY 1, 2, 3 ON CONFLICT DO NOTHING");
            st.execute("INSERT INTO mqtt_ts_bounds (month, min_ts, max_ts)"
                    + " SELECT date_trunc('month', received_at AT TIME ZONE 'UTC')::date, min(ts), max(ts) FROM mqtt_messages"
                    + " WHERE ts IS NOT NULL GROUP BY 1"
                    + " ON CONFLICT (month) DO UPDATE SET min_ts = least(mqtt_ts_bounds.min_ts, excluded.min_ts),"
                    + " max_ts = greatest(mqtt_ts_bounds.max_ts, excluded.max_ts)");
            System.out.printf("filled the device catalog and the ts bounds from the rows in %d s (V13 does the same on"
                    + " migrating); load %s%n", Duration.ofNanos(System.nanoTime() - filling).toSeconds(), Machine.load());
            // VACUUM as well: rows loaded this fast leave PostgreSQL's autovacuum (and their first readers)
            // with every page to visit and hint-bit; done here, it does not run beside the measured requests.
            // Then a checkpoint, so that writing the load out does not either.
            long vacuuming = System.nanoTime();
            st.execute("VACUUM (ANALYZE) mqtt_messages");
            st.execute("CHECKPOINT");
            System.out.printf("VACUUM (ANALYZE) and CHECKPOINT in %d s; load %s%n",
                    Duration.ofNanos(System.nanoTime() - vacuuming).toSeconds(), Machine.load());
            try (ResultSet rs = st.executeQuery("SELECT count(*), pg_size_pretty(sum(pg_total_relation_size(inhrelid)))"
                    + " FROM pg_inherits WHERE inhparent = 'mqtt_messages'::regclass")) {
                rs.next();
                System.out.printf("filled %,d rows in %d s: %d partitions, %s with indexes; load %s%n",
                        (long) DEVICES * perDevicePerDay * days, Duration.ofNanos(System.nanoTime() - start).toSeconds(),
                        rs.getInt(1), rs.getString(2), Machine.load());
            }
        }
    }

    private static int device() {
        return 1 + ThreadLocalRandom.current().nextInt(DEVICES);
    }

    /**
     * n requests one after the other after an unmeasured warm-up: p50/p99 as this JVM saw them, and the
     * mean the service timed for the same requests (mqi_http_request_seconds in GET /metrics: from Camel
     * taking the request to the end of its exchange: the HTTP server's reading of the request and the
     * client are outside it).
     */
    /** A measured endpoint: what it is, how many requests, whether it is slow (warmed up less), the URL of the next one. */
    private record Endpoint(String what, int requests, boolean slow, Supplier<String> url) {
    }

    /**
     * Requests to every endpoint in turn (the one over all devices every tenth round) for this long,
     * unmeasured: a fresh Karaf JVM is still compiling the request path (its C2 compiler thread was
     * measured at a quarter of the machine 15 s into the first endpoint's requests), and a service that
     * has been running is past that. {@code -Dbench.warmupSeconds=0} measures it cold.
     */
    private static void warmUp(HttpClient http, List<Endpoint> endpoints, String key, int seconds) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int sent = 0;
        for (int round = 0; System.nanoTime() < end; round++) {
            for (Endpoint e : endpoints) {
                if (!e.slow() || round % 10 == 0) {
                    http.send(HttpRequest.newBuilder(URI.create(e.url().get())).header("Authorization", "Bearer " + key).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
                    sent++;
                }
            }
        }
        System.out.printf("warm-up: %,d unmeasured requests over the endpoints in %d s; load %s%n", sent, seconds, Machine.load());
    }

    private static void measure(AssemblyStack stack, HttpClient http, int n, String what, Supplier<String> url, String key)
            throws Exception {
        // A few more of this endpoint's own, unmeasured, right before its measured ones.
        for (int i = 0; i < Math.max(1, n / 5); i++) {
            http.send(HttpRequest.newBuilder(URI.create(url.get())).header("Authorization", "Bearer " + key).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        AssemblyStack.HttpTimed before = stack.httpTimed();
        List<Long> micros = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url.get()))
                    .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(what + ": " + r.statusCode() + " " + r.body());
            }
            micros.add((System.nanoTime() - t) / 1000);
        }
        AssemblyStack.HttpTimed server = stack.httpTimed().since(before);
        Collections.sort(micros);
        System.out.printf("%-75s n=%4d  p50 %6.1f ms  p99 %6.1f ms  server mean %6.1f ms%s  load %s%n", what, n,
                micros.get(n / 2) / 1000.0, micros.get(Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)) / 1000.0,
                server.meanMillis(), server.requests() == n ? "" : " (of " + server.requests() + " requests)", Machine.load());
    }
}
