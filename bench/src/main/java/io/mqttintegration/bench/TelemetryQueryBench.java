package io.mqttintegration.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.ProductRuntime;
import io.mqttintegration.runtime.Settings;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * Telemetry queries on a large table: fills mqtt_messages with N readings of 1,000 devices spread
 * evenly over the last D days (their months' partitions made first), prints the plans of the three queries issue 17
 * names (the last 100 readings of a device, one day of a metric, the newest reading of every device)
 * and the p50/p99 latency of each telemetry endpoint over HTTP, measured on the real service.
 *
 *   bench/run.sh telemetry [rows=1000000] [requestsPerEndpoint=300] [days=1]
 *   bench/run.sh telemetry 30000000 300 365      (issue 17: 30 M rows over a year of partitions)
 */
public final class TelemetryQueryBench {

    private static final String OPERATOR = "bench-operator-key-0123456789-abcdefghijklmnop";

    public static void main(String[] args) {
        Machine.runThenExit(args, TelemetryQueryBench::run);
    }

    private static void run(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int days = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        int devices = 1000;
        long perDevicePerDay = Math.max(1, rows / devices / days);
        // One day of readings per device, evenly spaced: 1,440 minutes / perDevicePerDay.
        double minutesApart = 1440.0 / perDevicePerDay;
        java.time.LocalDate first = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(days);
        System.out.printf("telemetry queries: %,d rows over %d day(s) from %s (%,d readings per device and day, one every %.1f min),"
                + " %d requests per endpoint; load %s%n", (long) devices * perDevicePerDay * days, days, first, perDevicePerDay,
                minutesApart, requests, Machine.load());
        // The shipped etc/ defaults and route files, as the other benchmarks (BenchService).
        try (BenchService s = BenchService.start(Map.of())) {
            DataSource db = s.dataSource();
            String base = s.base;
            HttpClient http = HttpClient.newHttpClient();
            String org = s.organizationId;
            String admin = s.adminKey;
            String integration = s.integrationId;

            long start = System.nanoTime();
            // mqtt_messages is partitioned by UTC month of received_at (V10): the partitions of the range,
            // made as the service makes them; a reading is received one second after its time.
            try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                for (int d = 0; d <= days; d++) {
                    try (ResultSet rs = st.executeQuery("SELECT mqi_create_message_partition(DATE '" + first.plusDays(d) + "')")) {
                        rs.next();
                    }
                }
            }
            // One statement per day, generated in PostgreSQL (no client round trips), on two connections.
            java.util.concurrent.ExecutorService loaders = java.util.concurrent.Executors.newFixedThreadPool(2);
            List<java.util.concurrent.Future<?>> loads = new ArrayList<>();
            for (int d = 0; d < days; d++) {
                java.time.LocalDate day = first.plusDays(d);
                loads.add(loaders.submit(() -> {
                    try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                        st.execute("INSERT INTO mqtt_messages (message_id, seq, organization_id, integration_id, source, topic,"
                                + " payload, content_type, device_id, ts, metrics, parse_status, received_at)"
                                + " SELECT gen_random_uuid(), 0, '" + org + "', '" + integration + "', 'http',"
                                + " 'farm/devices/d-' || d || '/t', '\\x7b7d'::bytea, 'application/json', 'd-' || d, t,"
                                + " jsonb_build_object('temp', round((random() * 30)::numeric, 2), 'rh', (random() * 100)::int),"
                                + " 'parsed', t + INTERVAL '1 second'"
                                + " FROM generate_series(1, " + devices + ") d, generate_series(0, " + (perDevicePerDay - 1) + ") m,"
                                + " LATERAL (SELECT TIMESTAMPTZ '" + day + " 00:00:00+00' + make_interval(secs => m * "
                                + (minutesApart * 60) + ") AS t) x");
                    }
                    return null;
                }));
            }
            for (int i = 0; i < loads.size(); i++) {
                loads.get(i).get();
                if ((i + 1) % 30 == 0 || i + 1 == loads.size()) {
                    System.out.printf("  loaded %d of %d days in %d s; load %s%n", i + 1, days,
                            Duration.ofNanos(System.nanoTime() - start).toSeconds(), Machine.load());
                }
            }
            loaders.shutdown();
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
                st.execute("ANALYZE mqtt_messages");
                try (ResultSet rs = st.executeQuery("SELECT count(*), pg_size_pretty(sum(pg_total_relation_size(inhrelid)))"
                        + " FROM pg_inherits WHERE inhparent = 'mqtt_messages'::regclass")) {
                    rs.next();
                    System.out.printf("filled %,d rows in %d s: %d partitions, %s with indexes; load %s%n",
                            (long) devices * perDevicePerDay * days, Duration.ofNanos(System.nanoTime() - start).toSeconds(),
                            rs.getInt(1), rs.getString(2), Machine.load());
                }
            }

            java.time.LocalDate middle = first.plusDays(days / 2);
            String dayFrom = middle + "T00:00:00Z";
            String dayTo = middle.plusDays(1) + "T00:00:00Z";
            QueryPlan.print(db, org, "telemetry-readings", "the last 100 readings of one device (GET /telemetry?deviceId=d-500&limit=100)",
                    new Object[] {null, null, org, null, null, "d-500", "d-500", null, null, null, null, null, null, null, null,
                            null, null, 101});
            // The range [from, to) also picks the receive months whose ts bounds meet it (V13): PostgreSQL
            // prunes the other partitions at run time ("never executed" in the plan).
            QueryPlan.print(db, org, "telemetry-readings", "one day of a metric of one device (GET /telemetry?deviceId=d-500&metric=temp&from&to)",
                    new Object[] {dayFrom, dayTo, org, null, null, "d-500", "d-500", "temp", "temp", dayFrom, dayFrom, dayTo, dayTo,
                            null, null, null, null, 1001});
            QueryPlan.print(db, org, "telemetry-aggregate", "one day of a metric of one device in hours (GET /telemetry/aggregate?bucket=1h)",
                    new Object[] {dayFrom, dayTo, "1 hour", "temp", "temp", "temp", org, null, null, "d-500", "d-500", "temp",
                            dayFrom, dayTo});
            // The devices from the device catalog (V13), then each one's newest reading in the partitions
            // of the last two receive months, then in those whose ts bounds reach it (pruned at run time).
            QueryPlan.print(db, org, "telemetry-latest", "the newest reading of every device (GET /telemetry/latest?integrationId=)",
                    new Object[] {org, integration, integration, org, integration, integration, org, integration, integration});

            measure(http, requests, "GET /telemetry?deviceId=<d>&limit=100 (last 100 of one device)",
                    () -> base + "/telemetry?deviceId=d-" + device(devices) + "&limit=100", admin);
            measure(http, requests, "GET /telemetry?deviceId=<d>&metric=temp&from&to (one day)",
                    () -> base + "/telemetry?deviceId=d-" + device(devices) + "&metric=temp&from=" + dayFrom + "&to=" + dayTo
                            + "&limit=1000", admin);
            measure(http, requests, "GET /telemetry/latest?deviceId=<d>",
                    () -> base + "/telemetry/latest?deviceId=d-" + device(devices), admin);
            measure(http, requests, "GET /telemetry/aggregate?deviceId=<d>&metric=temp&bucket=1h (one day)",
                    () -> base + "/telemetry/aggregate?deviceId=d-" + device(devices) + "&metric=temp&bucket=1h"
                            + "&from=" + dayFrom + "&to=" + dayTo, admin);
            measure(http, Math.max(3, requests / 50), "GET /telemetry/latest?integrationId=<i> (all 1,000 devices)",
                    () -> base + "/telemetry/latest?integrationId=" + integration, admin);
        }
    }

    private static int device(int devices) {
        return 1 + ThreadLocalRandom.current().nextInt(devices);
    }

    private static void measure(HttpClient http, int n, String what, java.util.function.Supplier<String> url, String key)
            throws Exception {
        // Unmeasured warm-up: the first requests of an endpoint pay for class loading and JIT.
        for (int i = 0; i < Math.max(1, n / 5); i++) {
            http.send(HttpRequest.newBuilder(URI.create(url.get())).header("Authorization", "Bearer " + key).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
        }
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
        Collections.sort(micros);
        System.out.printf("%-75s n=%4d  p50 %6.1f ms  p99 %6.1f ms  load %s%n", what, n, micros.get(n / 2) / 1000.0,
                micros.get(Math.min(n - 1, (int) Math.ceil(n * 0.99) - 1)) / 1000.0, Machine.load());
    }

    private static JsonNode post(HttpClient http, String url, String key, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException(url + ": " + r.statusCode() + " " + r.body());
        }
        return Json.strict().readTree(r.body());
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
