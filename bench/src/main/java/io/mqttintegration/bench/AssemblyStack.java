package io.mqttintegration.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * What the assembly benchmarks start, each as a process of its own, and stop again (also on Ctrl-C, a
 * failure or the time limit):
 * <ul>
 * <li>PostgreSQL 15 from the Debian packages ({@code /usr/lib/postgresql/15/bin}), a fresh cluster from
 * {@code initdb} with its stock settings (fsync, synchronous_commit and full_page_writes on), run as the
 * {@code postgres} user (PostgreSQL refuses root); the service's role {@code mqi} logs in with a password
 * (scram), as in production;</li>
 * <li>optionally Mosquitto with the given settings (printed);</li>
 * <li>the built assembly ({@code assembly/target/assembly}, copied) as {@code bin/karaf server} with the
 * shipped configuration and only environment variables: MQI_DB_URL/USER/PASSWORD (bin/setenv turns the
 * password into a pgpass file), MQI_OPERATOR_KEY, MQI_HTTP_HOST/PORT, MQI_SSH_PORT and
 * MQI_ALLOW_PRIVATE_TARGETS=true (the benchmark's broker is on loopback), and MQI_BROKER_PORT (the
 * hosted broker's, a free port).</li>
 * </ul>
 */
final class AssemblyStack implements AutoCloseable {

    static final String OPERATOR = BenchService.OPERATOR;
    private static final String PG_BIN = System.getProperty("bench.pgBin", "/usr/lib/postgresql/15/bin");
    private static final String DB_PASSWORD = "mqi-bench-password";

    final Path work;
    final int pgPort;
    final DataSource superuser;
    private final Path pgData;
    private Process karaf;
    private Path karafHome;
    int httpPort;
    /** The port of the assembly's hosted MQTT broker (MQI_BROKER_PORT). */
    int hostedPort;
    /**
     * Settings for the next {@link #launchKaraf} (a PID key's environment variable, as an operator sets
     * it): how a benchmark compares the same build with a feature on and off in one run.
     */
    final Map<String, String> karafEnv = new LinkedHashMap<>();
    private Process broker;
    private int brokerPort;
    private boolean closed;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AssemblyStack(Path work, int pgPort) {
        this.work = work;
        this.pgPort = pgPort;
        this.pgData = work.resolve("pgdata");
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {pgPort});
        ds.setDatabaseName("mqi");
        ds.setUser("postgres");
        ds.setPassword(DB_PASSWORD);
        this.superuser = ds;
    }

    /**
     * Starts PostgreSQL and the assembly (and Mosquitto when brokerSettings is not null); stops all of it
     * at exit, and exits after maxSeconds whatever happens.
     */
    static AssemblyStack start(List<String> brokerSettings, int maxSeconds) throws Exception {
        Path work = Files.createTempDirectory("mqi-assembly-bench");
        AssemblyStack stack = new AssemblyStack(work, BenchService.freePort());
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "stop-stack"));
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(maxSeconds * 1000L);
                System.out.printf("time limit of %d s reached: stopping everything%n", maxSeconds);
                System.exit(3);
            } catch (InterruptedException e) {
                // the benchmark ended first
            }
        }, "time-limit");
        watchdog.setDaemon(true);
        watchdog.start();
        stack.startPostgres();
        if (brokerSettings != null) {
            stack.startBroker(brokerSettings);
        }
        stack.startKaraf();
        return stack;
    }

    // ---- PostgreSQL ---------------------------------------------------------------------------------

    private void startPostgres() throws Exception {
        Files.createDirectories(pgData);
        Path pw = work.resolve("pgpw");
        Files.writeString(pw, DB_PASSWORD + "\n");
        run(List.of("chown", "-R", "postgres:postgres", work.toString()));
        run(List.of("chmod", "755", work.toString()));
        asPostgres(PG_BIN + "/initdb", "-D", pgData.toString(), "-U", "postgres", "--pwfile=" + pw, "--auth-local=trust",
                "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8");
        // Stock postgresql.conf from initdb; only where to listen and the socket folder (not /var/run).
        asPostgres(PG_BIN + "/pg_ctl", "-D", pgData.toString(), "-l", work.resolve("postgres.log").toString(), "-w", "-t", "60",
                "-o", "-c listen_addresses=127.0.0.1 -c port=" + pgPort + " -c unix_socket_directories=" + work, "start");
        try (Connection c = superuser("postgres"); Statement st = c.createStatement()) {
            // CREATEROLE: the schema migrations create the role the service works as (mqi_app).
            st.execute("CREATE ROLE mqi LOGIN CREATEROLE PASSWORD '" + DB_PASSWORD + "'");
            st.execute("CREATE DATABASE mqi OWNER mqi");
        }
        System.out.printf("PostgreSQL %s on 127.0.0.1:%d: %s%n", sql("postgres", "SHOW server_version"), pgPort,
                sql("postgres", "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings WHERE name IN"
                        + " ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_connections', 'wal_level')"));
    }

    private Connection superuser(String database) throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {pgPort});
        ds.setDatabaseName(database);
        ds.setUser("postgres");
        ds.setPassword(DB_PASSWORD);
        return ds.getConnection();
    }

    /** One value from a query as the superuser (row-level security does not apply to it). */
    String sql(String database, String query) throws Exception {
        try (Connection c = superuser(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getString(1);
        }
    }

    long sqlLong(String query) throws Exception {
        return Long.parseLong(sql("mqi", query));
    }

    /** Messages stored (one row with seq 0 per message). */
    long storedMessages() throws Exception {
        return sqlLong("SELECT count(*) FROM mqtt_messages WHERE seq = 0");
    }

    /** The postmaster and its children (backends, writer, WAL writer, checkpointer, ...). */
    List<ProcessHandle> postgresProcesses() throws IOException {
        long pid = Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).trim());
        List<ProcessHandle> all = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(p -> {
            all.add(p);
            p.descendants().forEach(all::add);
        });
        return all;
    }

    /** CPU time of all PostgreSQL processes alive now, in ms (those that ended meanwhile are not counted). */
    long postgresCpuMillis() throws IOException {
        long sum = 0;
        for (ProcessHandle p : postgresProcesses()) {
            sum += Math.max(0, Machine.cpuMillis(p.pid()));
        }
        return sum;
    }

    private void stopPostgres() {
        if (Files.exists(pgData.resolve("postmaster.pid"))) {
            try {
                asPostgres(PG_BIN + "/pg_ctl", "-D", pgData.toString(), "-m", "fast", "-w", "-t", "60", "stop");
            } catch (Exception e) {
                System.out.println("PostgreSQL did not stop: " + e.getMessage());
            }
        }
    }

    private void asPostgres(String... command) throws Exception {
        List<String> c = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        c.addAll(List.of(command));
        run(c);
    }

    private void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    // ---- Mosquitto ----------------------------------------------------------------------------------

    private void startBroker(List<String> settings) throws Exception {
        brokerPort = BenchService.freePort();
        List<String> conf = new ArrayList<>(List.of("listener " + brokerPort + " 127.0.0.1", "allow_anonymous true",
                "persistence false", "log_type error"));
        conf.addAll(settings);
        Files.write(work.resolve("mosquitto.conf"), conf);
        System.out.printf("Mosquitto on 127.0.0.1:%d: %s%n", brokerPort, String.join(", ", settings));
        launchBroker();
    }

    private void launchBroker() throws Exception {
        broker = new ProcessBuilder("mosquitto", "-c", work.resolve("mosquitto.conf").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("mosquitto.out").toFile())).start();
        awaitPort(brokerPort, broker);
    }

    int brokerPort() {
        return brokerPort;
    }

    long brokerPid() {
        return broker.pid();
    }

    /** Stops Mosquitto (SIGTERM) and waits for it to end. */
    void stopBroker() throws Exception {
        broker.destroy();
        if (!broker.waitFor(30, TimeUnit.SECONDS)) {
            broker.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts Mosquitto again with the same configuration and port; returns when it listens. */
    void startBrokerAgain() throws Exception {
        launchBroker();
    }

    // ---- Karaf --------------------------------------------------------------------------------------

    private void startKaraf() throws Exception {
        // -Dbench.assembly=<dir>: another build (an earlier commit's, for a before/after in one session).
        Path built = Path.of(System.getProperty("bench.assembly", BenchService.repoRoot().resolve("assembly/target/assembly").toString()));
        if (!Files.isDirectory(built.resolve("bin"))) {
            throw new IOException("no built assembly at " + built + " (bench/run.sh builds it unless BENCH_NO_BUILD is set)");
        }
        karafHome = work.resolve("karaf");
        io.mqttintegration.devdb.Folders.copy(built, karafHome);
        httpPort = BenchService.freePort();
        hostedPort = BenchService.freePort();
        launchKaraf();
    }

    /** Starts bin/karaf server (the copy made at start) and returns when GET /health is 200. */
    void launchKaraf() throws Exception {
        long start = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(karafHome.resolve("bin/karaf").toString(), "server").directory(karafHome.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(karafHome.resolve("console.log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("MQI_DB_URL", "jdbc:postgresql://127.0.0.1:" + pgPort + "/mqi?reWriteBatchedInserts=true");
        env.put("MQI_DB_USER", "mqi");
        env.put("MQI_DB_PASSWORD", DB_PASSWORD);
        env.put("MQI_OPERATOR_KEY", OPERATOR);
        env.put("MQI_ALLOW_PRIVATE_TARGETS", "true");
        env.put("MQI_HTTP_HOST", "127.0.0.1");
        env.put("MQI_HTTP_PORT", Integer.toString(httpPort));
        env.put("MQI_SSH_PORT", Integer.toString(BenchService.freePort()));
        env.put("MQI_BROKER_PORT", Integer.toString(hostedPort));
        env.remove("EXTRA_JAVA_OPTS");
        env.remove("JAVA_OPTS");
        if (!karafEnv.isEmpty()) {
            env.putAll(karafEnv);
            System.out.println("Karaf's environment adds " + karafEnv);
        }
        // Another JVM setting than bin/setenv's shipped heap (BENCH_KARAF_JAVA_OPTS="-Xmx512m -XX:..."): said so.
        String javaOpts = System.getenv("BENCH_KARAF_JAVA_OPTS");
        if (javaOpts != null && !javaOpts.isBlank()) {
            env.put("EXTRA_JAVA_OPTS", javaOpts);
            System.out.println("Karaf's JVM with EXTRA_JAVA_OPTS=" + javaOpts + " (not the shipped bin/setenv heap)");
        }
        karaf = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (true) {
            if (!karaf.isAlive()) {
                throw new IOException("bin/karaf exited with " + karaf.exitValue() + "; see " + karafHome.resolve("data/log/karaf.log"));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health")).timeout(Duration.ofSeconds(5))
                        .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("Karaf not healthy within 180 s; see " + karafHome.resolve("data/log/karaf.log"));
            }
            Thread.sleep(200);
        }
        System.out.printf("Karaf (bin/karaf server, shipped etc/) healthy after %.1f s: JVM pid %d, %s%n",
                (System.nanoTime() - start) / 1e9, karafPid(), karafMemory());
    }

    /** The Karaf JVM: bin/karaf server runs java as its child. */
    long karafPid() {
        return karaf.descendants().filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(karaf.pid());
    }

    /** Lines of the Karaf log (data/log/karaf.log and the files it rolled into) that contain the text. */
    long karafLogLines(String text) throws IOException {
        long n = 0;
        try (var files = Files.list(karafHome.resolve("data/log"))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("karaf.log")).toList()) {
                try (var lines = Files.lines(f, java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    n += lines.filter(l -> l.contains(text)).count();
                }
            }
        }
        return n;
    }

    long karafCpuMillis() {
        return Machine.cpuMillis(karafPid());
    }

    String karafMemory() {
        long pid = karafPid();
        return String.format("Karaf JVM threads %d, RSS %d MB", Machine.threads(pid), Machine.rssMb(pid));
    }

    /** bin/stop, and waits (60 s at most, then kills) until the process has ended. */
    void stopKaraf() {
        if (karaf == null || !karaf.isAlive()) {
            return;
        }
        try {
            long start = System.nanoTime();
            ProcessBuilder stop = new ProcessBuilder(karafHome.resolve("bin/stop").toString()).directory(karafHome.toFile())
                    .redirectErrorStream(true).redirectOutput(karafHome.resolve("stop.log").toFile());
            stop.environment().put("JAVA_HOME", System.getProperty("java.home"));
            stop.start().waitFor(30, TimeUnit.SECONDS);
            if (karaf.waitFor(60, TimeUnit.SECONDS)) {
                System.out.printf("Karaf stopped (bin/stop) in %.1f s%n", (System.nanoTime() - start) / 1e9);
            } else {
                System.out.println("Karaf did not stop within 60 s of bin/stop: killed (see data/log/karaf.log with -Dbench.keep=true)");
            }
        } catch (Exception e) {
            System.out.println("bin/stop failed: " + e.getMessage());
        }
        karaf.descendants().forEach(ProcessHandle::destroyForcibly);
        karaf.destroyForcibly();
    }

    // ---- the service's API --------------------------------------------------------------------------

    String base() {
        return "http://127.0.0.1:" + httpPort;
    }

    JsonNode post(String path, String key, String body) throws Exception {
        return BenchService.post(http, base() + "/api/v1" + path, key, body);
    }

    JsonNode get(String path, String key) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1" + path))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
        }
        return Json.strict().readTree(r.body());
    }

    /** DELETE on the API (e.g. /integrations/{id}/subscribe); returns the status. */
    int delete(String path, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1" + path)).header("Authorization", "Bearer " + key).DELETE()
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The operator's per-organization quota overrides (PATCH /organizations/{id}/quotas), e.g. {"subscriptions": 2000}. */
    void quotas(Tenant t, String overrides) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/organizations/" + t.organizationId() + "/quotas"))
                .header("Authorization", "Bearer " + OPERATOR).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(overrides)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("quotas: " + r.statusCode() + " " + r.body());
        }
    }

    /** GET /metrics (Prometheus text) with the operator key. */
    String metrics() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/metrics")).header("Authorization", "Bearer " + OPERATOR).timeout(Duration.ofSeconds(10)).GET()
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** An organization and its admin key, through the API. */
    Tenant tenant(String name) throws Exception {
        String org = post("/organizations", OPERATOR, "{\"name\":\"" + name + "\"}").path("id").asText();
        String admin = post("/organizations/" + org + "/api-keys", OPERATOR, "{\"name\":\"a\",\"scopes\":[\"admin\"]}").path("key")
                .asText();
        return new Tenant(org, admin);
    }

    record Tenant(String organizationId, String adminKey) {
    }

    /** An integration (broker settings as JSON) and an ingest key bound to it, through the API. */
    String[] integrationWithIngestKey(Tenant t, String settings) throws Exception {
        String integration = post("/integrations", t.adminKey(), "{\"name\":\"bench\",\"settings\":" + settings + "}").path("id")
                .asText();
        String ingest = post("/organizations/" + t.organizationId() + "/api-keys", t.adminKey(),
                "{\"name\":\"gw\",\"scopes\":[\"ingest\"],\"integrationId\":\"" + integration + "\"}").path("key").asText();
        return new String[] {integration, ingest};
    }

    /**
     * Waits (10 s at most) until no message is in flight (sum of mqi_messages_in_flight and the queue depth
     * both 0): what a load phase left behind is committed before the next window opens or this one closes.
     */
    void settle() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            double pending = 0;
            for (String line : metrics().split("\n")) {
                if (line.startsWith("mqi_messages_in_flight{") || line.startsWith("mqi_ingest_queue_depth ")) {
                    pending += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            if (pending == 0) {
                return;
            }
            Thread.sleep(20);
        }
    }

    // ---- the writer's batches from GET /metrics -----------------------------------------------------

    /** The values of mqi_batch_size (count, sum and cumulative buckets) and mqi_commit_seconds (count, sum). */
    Map<String, Double> writerCounters() throws Exception {
        Map<String, Double> v = new TreeMap<>();
        for (String line : metrics().split("\n")) {
            if (line.startsWith("mqi_batch_size") || line.startsWith("mqi_commit_seconds_sum")
                    || line.startsWith("mqi_commit_seconds_count")) {
                int space = line.lastIndexOf(' ');
                v.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return v;
    }

    /** Batches written between two readings of writerCounters: count, mean size, mean commit, distribution. */
    static String batchesBetween(Map<String, Double> before, Map<String, Double> after) {
        double batches = diff(before, after, "mqi_batch_size_count");
        if (batches == 0) {
            return "no batch written";
        }
        // Cumulative buckets in the order of their bounds (the map holds them sorted as text).
        Map<Double, String> buckets = new TreeMap<>();
        after.keySet().stream().filter(k -> k.startsWith("mqi_batch_size_bucket")).forEach(k -> {
            String le = k.replaceAll(".*le=\"([^\"]+)\".*", "$1");
            buckets.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), k);
        });
        StringBuilder dist = new StringBuilder();
        double below = 0;
        for (Map.Entry<Double, String> b : buckets.entrySet()) {
            double cumulative = diff(before, after, b.getValue());
            if (cumulative > below) {
                String le = b.getKey().isInfinite() ? "+Inf" : String.format("%.0f", b.getKey());
                dist.append(dist.length() == 0 ? "" : ", ").append("≤").append(le).append(": ").append((long) (cumulative - below));
            }
            below = cumulative;
        }
        return String.format("%.0f batches, mean %.1f messages, mean insert+commit %.1f ms; batch sizes (count per bucket) %s",
                batches, diff(before, after, "mqi_batch_size_sum") / batches,
                1000 * diff(before, after, "mqi_commit_seconds_sum") / batches, dist);
    }

    private static double diff(Map<String, Double> before, Map<String, Double> after, String key) {
        return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
    }

    // ---- the service's own timing of HTTP requests from GET /metrics ---------------------------------

    /**
     * The HTTP requests the service has timed so far (mqi_http_request_seconds, count and sum over
     * every route) but GET /metrics: a scrape is timed once it has ended, so the one that took an
     * earlier reading would count in the next.
     */
    HttpTimed httpTimed() throws Exception {
        long requests = 0;
        double seconds = 0;
        for (String line : metrics().split("\n")) {
            if (line.contains("route=\"http-metrics\"")) {
                continue;
            }
            if (line.startsWith("mqi_http_request_seconds_count{")) {
                requests += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("mqi_http_request_seconds_sum{")) {
                seconds += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return new HttpTimed(requests, seconds);
    }

    /** Requests timed by the service and their total time in seconds. */
    record HttpTimed(long requests, double seconds) {

        /** The requests timed between an earlier reading and this one. */
        HttpTimed since(HttpTimed before) {
            return new HttpTimed(requests - before.requests, seconds - before.seconds);
        }

        double meanMillis() {
            return requests == 0 ? Double.NaN : 1000 * seconds / requests;
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    static void awaitPort(int port, Process owner) throws Exception {
        for (int i = 0; i < 400; i++) {
            if (owner != null && !owner.isAlive()) {
                throw new IOException("process exited with " + owner.exitValue() + " before listening on " + port);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IOException("nothing listens on " + port);
    }

    /** Stops Karaf, Mosquitto and PostgreSQL (in that order) and removes the work folder. Runs once. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopKaraf();
        if (broker != null) {
            broker.destroy();
            try {
                broker.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            broker.destroyForcibly();
        }
        stopPostgres();
        if (Boolean.getBoolean("bench.keep")) {
            System.out.println("kept " + work + " (logs)");
            return;
        }
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.out.println("could not remove " + work + ": " + e.getMessage());
        }
    }
}
