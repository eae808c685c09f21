package io.mqttintegration.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HTTP ingestion on the built assembly, driven by wrk from its own process, beside PostgreSQL's COPY of
 * the same rows into a copy of mqtt_messages (same indexes and foreign keys), in one run:
 * <ol>
 * <li>wrk warm-up (not counted), then {@code wrk -t2 -c<connections> -d<seconds>s --latency} with a Lua
 * script POSTing ~200-byte JSON messages ({@code perRequest} per request) with an ingest key;</li>
 * <li>our figure: messages stored per second, counted in the database over the window;</li>
 * <li>COPY of the same rows, 5,000 per transaction, into {@code bench_copy} (LIKE mqtt_messages
 * INCLUDING ALL plus its foreign keys) on one and on two connections; the ratio.</li>
 * </ol>
 *
 * <pre>bench/run.sh assembly-http [messagesPerRequest=1] [connections=50] [seconds=20]</pre>
 */
public final class AssemblyHttpBench {

    public static void main(String[] args) {
        Machine.runThenExit(args, AssemblyHttpBench::run);
    }

    private static void run(String[] args) throws Exception {
        int perRequest = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        System.out.printf("assembly HTTP ingestion: %d message(s) per request, wrk -t2 -c%d, %d s; load %s%n", perRequest,
                connections, seconds, Machine.load());
        try (AssemblyStack stack = AssemblyStack.start(null, Integer.getInteger("bench.maxSeconds", 300 + 4 * seconds))) {
            AssemblyStack.Tenant tenant = stack.tenant("bench");
            String[] integration = stack.integrationWithIngestKey(tenant, "{\"host\":\"127.0.0.1\"}");
            Path script = wrkScript(stack.work, integration[1], perRequest);

            // The JIT needs longer than a few seconds to settle on this path (compiler threads still busy
            // after 3 s in a JFR recording): the window measures the service warmed up, as it runs.
            wrk(stack, script, connections, Integer.getInteger("bench.warmupSeconds", 45), false);
            System.out.printf("after warm-up: %s%n", stack.karafMemory());

            AssemblyWindow window = AssemblyWindow.open(stack);
            List<String> out = wrk(stack, script, connections, seconds, true);
            window.close();
            System.out.printf("wrk -t2 -c%d -d%ds --latency (%d message(s) per request):%n", connections, seconds, perRequest);
            out.forEach(l -> System.out.println("  | " + l));
            window.print("  ");
            double ours = window.storedPerSecond();

            int copySeconds = Math.max(5, seconds / 2);
            String table = copyTable(stack);
            double copy1 = CopyBaseline.rate(stack.superuser, table, tenant.organizationId(), integration[0], 1, copySeconds, 5000);
            System.out.printf("PostgreSQL COPY of the same rows into %s, 5,000 per transaction, 1 connection: %.0f rows/s; load %s%n",
                    table, copy1, Machine.load());
            double copy2 = CopyBaseline.rate(stack.superuser, table, tenant.organizationId(), integration[0], 2, copySeconds, 5000);
            System.out.printf("PostgreSQL COPY of the same rows into %s, 5,000 per transaction, 2 connections: %.0f rows/s; load %s%n",
                    table, copy2, Machine.load());
            System.out.printf("ratio: HTTP %d/request stored %.0f msg/s = %.1f %% of COPY on 1 connection, %.1f %% of COPY on 2"
                    + " connections%n", perRequest, ours, 100 * ours / copy1, 100 * ours / copy2);
        }
    }

    /** The request: ~200-byte JSON messages (IngestBench's payload), each with its own seq and device. */
    static Path wrkScript(Path dir, String ingestKey, int perRequest) throws Exception {
        Path script = dir.resolve("ingest.lua");
        Files.writeString(script, """
                -- POST /api/v1/ingest: %d message(s) of ~200 bytes per request, with an ingest key.
                wrk.method = "POST"
                wrk.headers["Content-Type"] = "application/json"
                wrk.headers["Authorization"] = "Bearer %s"
                local per = %d
                local seq = 0
                local function message(i)
                  return '{"topic":"bench/devices/d-' .. (i %% 1000) .. '/telemetry","payload":{"seq":' .. i
                    .. ',"temperature":21.5,"humidity":40.2,"pressure":1013.25,"battery":3.71,"rssi":-67,"ts":"'
                    .. os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ") .. '"}}'
                end
                request = function()
                  local parts = {}
                  for i = 1, per do
                    seq = seq + 1
                    parts[i] = message(seq)
                  end
                  local body = per == 1 and parts[1] or ("[" .. table.concat(parts, ",") .. "]")
                  return wrk.format(nil, "/api/v1/ingest", nil, body)
                end
                """.formatted(perRequest, ingestKey, perRequest));
        return script;
    }

    /** Runs wrk to its end (its own process) and returns what it printed. */
    static List<String> wrk(AssemblyStack stack, Path script, int connections, int seconds, boolean latency) throws Exception {
        return wrkOutput(startWrk(stack, script, connections, seconds, latency), seconds + 60L, false);
    }

    /** Starts {@code wrk -t2 -c<connections> -d<seconds>s} (its own process) with the script; see {@link #wrkOutput}. */
    static Process startWrk(AssemblyStack stack, Path script, int connections, int seconds, boolean latency) throws Exception {
        List<String> command = new ArrayList<>(List.of("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--timeout", "10s",
                "-s", script.toString()));
        if (latency) {
            command.add("--latency");
        }
        command.add(stack.base() + "/api/v1/ingest");
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /**
     * What wrk printed, once it ended (within waitSeconds); with interrupt, it is stopped first with SIGINT (wrk then
     * ends its run early and still prints its summary).
     */
    static List<String> wrkOutput(Process p, long waitSeconds, boolean interrupt) throws Exception {
        if (interrupt) {
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor(10, TimeUnit.SECONDS);
        }
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                lines.add(l);
            }
        }
        if (!p.waitFor(waitSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("wrk failed: " + String.join("\n", lines));
        }
        return lines;
    }

    /** A copy of mqtt_messages with the same indexes and foreign keys (no rows, no row-level security). */
    static String copyTable(AssemblyStack stack) throws Exception {
        String table = "bench_copy";
        try (Connection c = stack.superuser.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + table);
            st.execute("CREATE TABLE " + table + " (LIKE mqtt_messages INCLUDING ALL)");
            List<String> foreignKeys = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT pg_get_constraintdef(oid) FROM pg_constraint"
                    + " WHERE conrelid = 'mqtt_messages'::regclass AND contype = 'f'")) {
                while (rs.next()) {
                    foreignKeys.add(rs.getString(1));
                }
            }
            for (String fk : foreignKeys) {
                st.execute("ALTER TABLE " + table + " ADD " + fk);
            }
        }
        System.out.printf("%s: %s indexes, %s foreign keys, %s triggers (mqtt_messages: %s, %s, %s)%n", table,
                stack.sql("mqi", "SELECT count(*) FROM pg_index WHERE indrelid = '" + table + "'::regclass"),
                stack.sql("mqi", "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = '" + table + "'::regclass"),
                stack.sql("mqi", "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = '" + table + "'::regclass"),
                stack.sql("mqi", "SELECT count(*) FROM pg_index WHERE indrelid = 'mqtt_messages'::regclass"),
                stack.sql("mqi", "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'mqtt_messages'::regclass"),
                stack.sql("mqi", "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid = 'mqtt_messages'::regclass"));
        return table;
    }
}
