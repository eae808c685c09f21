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
 * Telemetry queries on a large table: fills mqtt_messages with N readings (default 10 million:
 * 1,000 devices x 10,000 minutes), prints the plan of "the last 100 readings of one device" and the
 * p50/p99 latency of each telemetry endpoint over HTTP, measured on the real service.
 *
 *   bench/run.sh telemetry [rows=1000000] [requestsPerEndpoint=300]     (10000000 for the 10 M rows)
 */
public final class TelemetryQueryBench {

    private static final String OPERATOR = "bench-operator-key-0123456789-abcdefghijklmnop";

    public static void main(String[] args) {
        Machine.runThenExit(args, TelemetryQueryBench::run);
    }

    private static void run(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int devices = 1000;
        long perDevice = rows / devices;
        System.out.printf("telemetry queries: %,d rows, %d requests per endpoint; load %s%n", rows, requests, Machine.load());
        // The shipped etc/ defaults and route files, as the other benchmarks (BenchService).
        try (BenchService s = BenchService.start(Map.of())) {
            {
                DataSource db = s.dataSource();
                String base = s.base;
                HttpClient http = HttpClient.newHttpClient();
                String org = s.organizationId;
                String admin = s.adminKey;
                String integration = s.integrationId;

                long start = System.nanoTime();
                try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                    st.execute("INSERT INTO mqtt_messages (message_id, seq, organization_id, integration_id, source, topic,"
                            + " payload, content_type, device_id, ts, metrics, parse_status, received_at)"
                            + " SELECT gen_random_uuid(), 0, '" + org + "', '" + integration + "', 'http',"
                            + " 'farm/devices/d-' || d || '/t', '\\x7b7d'::bytea, 'application/json', 'd-' || d,"
                            + " TIMESTAMPTZ '2026-01-01 00:00:00+00' + make_interval(mins => m::int),"
                            + " jsonb_build_object('temp', round((random() * 30)::numeric, 2), 'rh', (random() * 100)::int),"
                            + " 'parsed', TIMESTAMPTZ '2026-01-01 00:00:00+00' + make_interval(mins => m::int)"
                            + " FROM generate_series(1, " + devices + ") d, generate_series(1, " + perDevice + ") m");
                    st.execute("ANALYZE mqtt_messages");
                }
                System.out.printf("filled %,d rows in %d s; load %s%n", (long) devices * perDevice,
                        Duration.ofNanos(System.nanoTime() - start).toSeconds(), Machine.load());

                try (Connection c = db.getConnection(); Statement st = c.createStatement()) {
                    c.setAutoCommit(false);
                    st.execute("SET LOCAL ROLE mqi_app");
                    st.execute("SELECT set_config('mqi.org_id', '" + org + "', true)");
                    String sql = io.mqttintegration.storage.SqlFiles.load("telemetry-readings");
                    System.out.println("plan of the last 100 readings of one device (GET /telemetry?deviceId=d-500):");
                    try (ResultSet rs = st.executeQuery("EXPLAIN (ANALYZE, COSTS OFF) " + sql
                            .replaceFirst("\\?", "'" + org + "'").replaceFirst("\\?", "NULL").replaceFirst("\\?", "NULL")
                            .replaceFirst("\\?", "'d-500'").replaceFirst("\\?", "'d-500'")
                            .replaceAll("\\?", "NULL").replace("LIMIT NULL", "LIMIT 101"))) {
                        while (rs.next()) {
                            System.out.println("  " + rs.getString(1));
                        }
                    }
                    c.rollback();
                }

                measure(http, requests, "GET /telemetry?deviceId=<d>&limit=100 (last 100 of one device)",
                        () -> base + "/telemetry?deviceId=d-" + device(devices) + "&limit=100", admin);
                measure(http, requests, "GET /telemetry?deviceId=<d>&metric=temp&from&to (one day)",
                        () -> base + "/telemetry?deviceId=d-" + device(devices) + "&metric=temp&from=2026-01-03T00:00:00Z"
                                + "&to=2026-01-04T00:00:00Z&limit=1000", admin);
                measure(http, requests, "GET /telemetry/latest?deviceId=<d>",
                        () -> base + "/telemetry/latest?deviceId=d-" + device(devices), admin);
                measure(http, requests, "GET /telemetry/aggregate?deviceId=<d>&metric=temp&bucket=1h (one day)",
                        () -> base + "/telemetry/aggregate?deviceId=d-" + device(devices) + "&metric=temp&bucket=1h"
                                + "&from=2026-01-03T00:00:00Z&to=2026-01-04T00:00:00Z", admin);
                measure(http, Math.max(3, requests / 50), "GET /telemetry/latest?integrationId=<i> (all 1,000 devices)",
                        () -> base + "/telemetry/latest?integrationId=" + integration, admin);
            }
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
