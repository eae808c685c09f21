package io.mqttintegration.bench;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A streamed export from the built assembly: {@code rows} readings loaded with INSERT ... SELECT (as the
 * superuser, 1,000,000 per statement), then {@code GET /api/v1/telemetry/export} of all of them as CSV (or
 * NDJSON), read by this JVM as fast as it can. Prints rows/s and bytes/s, and the Karaf JVM's RSS before,
 * at its peak while exporting (sampled every 250 ms) and after, with its heap summary ({@code jcmd
 * GC.heap_info}) before and after: a streamed export keeps them flat whatever the row count.
 *
 * <pre>bench/run.sh assembly-export [rows=10000000] [format=csv]</pre>
 */
public final class AssemblyExportBench {

    public static void main(String[] args) {
        Machine.runThenExit(args, AssemblyExportBench::run);
    }

    private static void run(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        String format = args.length > 1 ? args[1] : "csv";
        System.out.printf("assembly export: %,d readings as %s; load %s%n", rows, format, Machine.load());
        try (AssemblyStack stack = AssemblyStack.start(null, Integer.getInteger("bench.maxSeconds", 7200))) {
            AssemblyStack.Tenant tenant = stack.tenant("bench");
            String integration = stack.integrationWithIngestKey(tenant, "{\"host\":\"127.0.0.1\"}")[0];
            long loadStart = System.nanoTime();
            try (Connection c = stack.superuser.getConnection(); Statement st = c.createStatement()) {
                for (long first = 0; first < rows; first += 1_000_000) {
                    long last = Math.min(rows, first + 1_000_000) - 1;
                    st.execute("INSERT INTO mqtt_messages (message_id, seq, organization_id, integration_id, source, topic, payload,"
                            + " device_id, ts, metrics, parse_status, received_at)"
                            + " SELECT gen_random_uuid(), 0, '" + tenant.organizationId() + "', '" + integration + "', 'mqtt',"
                            + " 'bench/devices/d-' || (i % 1000) || '/telemetry', convert_to('{\"temperature\":21.5}', 'UTF8'),"
                            + " 'd-' || (i % 1000), timestamptz '2026-01-01T00:00:00Z' + i * interval '1 second',"
                            + " jsonb_build_object('temperature', 21.5, 'humidity', 40 + i % 20, 'seq', i), 'parsed',"
                            + " timestamptz '2026-01-01T00:00:00Z' + i * interval '1 second'"
                            + " FROM generate_series(" + first + ", " + last + ") i");
                }
                st.execute("ANALYZE mqtt_messages");
            }
            System.out.printf("loaded %,d rows in %.0f s; %s%n", rows, (System.nanoTime() - loadStart) / 1e9, stack.karafMemory());
            long pid = stack.karafPid();
            System.out.println("heap before:\n" + heapInfo(pid));
            long rssBefore = Machine.rssMb(pid);
            AtomicLong peakRss = new AtomicLong(rssBefore);
            AtomicBoolean exporting = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (exporting.get()) {
                    peakRss.accumulateAndGet(Machine.rssMb(pid), Math::max);
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            String to = java.time.Instant.parse("2026-01-01T00:00:00Z").plusSeconds(rows).toString();
            HttpRequest request = HttpRequest.newBuilder(URI.create(stack.base() + "/api/v1/telemetry/export?integrationId="
                    + integration + "&from=2026-01-01T00:00:00Z&to=" + to + "&format=" + format))
                    .header("Authorization", "Bearer " + tenant.adminKey()).build();
            long start = System.nanoTime();
            long bytes = 0;
            long lines = 0;
            HttpResponse<InputStream> r = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("export answered " + r.statusCode() + ": " + new String(r.body().readAllBytes()));
            }
            long firstByte = 0;
            try (InputStream in = r.body()) {
                byte[] chunk = new byte[64 * 1024];
                for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                    if (firstByte == 0) {
                        firstByte = System.nanoTime();
                    }
                    bytes += n;
                    for (int i = 0; i < n; i++) {
                        lines += chunk[i] == '\n' ? 1 : 0;
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            exporting.set(false);
            sampler.join();
            System.out.printf("exported %,d lines (%,d bytes) in %.1f s, first byte after %.3f s: %,.0f rows/s, %.1f MB/s; load %s%n",
                    lines, bytes, seconds, (firstByte - start) / 1e9, rows / seconds, bytes / seconds / 1e6, Machine.load());
            System.out.printf("Karaf JVM RSS: %d MB before, %d MB at most while exporting, %d MB after%n", rssBefore, peakRss.get(),
                    Machine.rssMb(pid));
            System.out.println("heap after:\n" + heapInfo(pid));
        }
    }

    private static String heapInfo(long pid) throws Exception {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.strip();
    }
}
