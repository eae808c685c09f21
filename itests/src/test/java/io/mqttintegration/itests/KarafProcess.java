package io.mqttintegration.itests;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The built Karaf assembly, copied to a folder of its own and run as a real process. */
final class KarafProcess implements AutoCloseable {

    /**
     * How long a Karaf start may take before a test gives up on it: a bound on a hang, not a figure
     * (a loaded 2-core machine took 110 s once; an idle one takes 10-40 s).
     */
    static final java.time.Duration BOOT_TIMEOUT = java.time.Duration.ofSeconds(300);


    final Path home;
    final int httpPort;
    final int sshPort;
    /** The hosted MQTT broker's port (MQI_BROKER_PORT): never the shipped 1883, which another run may hold. */
    final int brokerPort;
    private final Map<String, String> env;
    private HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String scheme = "http";
    private String host = "127.0.0.1";
    private Process process;

    KarafProcess(Path built, Path workDir, Map<String, String> env) throws IOException {
        this.home = workDir.resolve("karaf");
        io.mqttintegration.devdb.Folders.copy(built, home);
        try (var bins = Files.list(home.resolve("bin"))) {
            bins.forEach(f -> f.toFile().setExecutable(true));
        }
        this.httpPort = freePort();
        this.env = new java.util.HashMap<>(env);
        this.env.put("MQI_HTTP_PORT", Integer.toString(httpPort));
        this.sshPort = freePort();
        this.env.put("MQI_SSH_PORT", Integer.toString(sshPort));
        this.brokerPort = freePort();
        this.env.putIfAbsent("MQI_BROKER_PORT", Integer.toString(brokerPort));
        this.env.put("JAVA_HOME", System.getProperty("java.home"));
    }

    /** Talks HTTPS to the API (trusting the given context), by name, as a client checking the certificate would. */
    KarafProcess overTls(javax.net.ssl.SSLContext trust, String hostName) {
        http = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
        scheme = "https";
        host = hostName;
        return this;
    }

    void start() throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of(home.resolve("bin/karaf").toString(), "server"))
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("console.log").toFile());
        pb.environment().putAll(env);
        process = pb.start();
    }

    /** Polls GET /health until it answers 200; returns the time it took. */
    Duration awaitHealthy(Duration timeout) throws Exception {
        long start = System.nanoTime();
        awaitResponse("/health", timeout, r -> r.statusCode() == 200);
        return Duration.ofNanos(System.nanoTime() - start);
    }

    HttpResponse<String> awaitResponse(String path, Duration timeout, Predicate<HttpResponse<String>> done) throws Exception {
        return awaitResponse(path, null, timeout, done);
    }

    /** Polls GET path (with the key as Bearer, when given) until the answer is the expected one. */
    HttpResponse<String> awaitResponse(String path, String key, Duration timeout, Predicate<HttpResponse<String>> done)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> last = null;
        Exception lastError = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Karaf exited with " + process.exitValue() + "; see " + home.resolve("console.log"));
            }
            try {
                last = send("GET", path, key, null);
                if (done.test(last)) {
                    return last;
                }
            } catch (IOException e) {
                lastError = e;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new AssertionError("GET " + path + " did not reach the expected answer within " + timeout + "; last: "
                + (last == null ? lastError : last.statusCode() + " " + last.body()) + "; log: " + home.resolve("data/log/karaf.log"));
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A JSON request with a Bearer key (none when key is null; no body when body is null). */
    HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create(scheme + "://" + host + ":" + httpPort + path);
    }

    long pid() {
        return process.pid();
    }

    /** Stops Karaf with bin/stop and waits for the process to end; returns its exit code. */
    int stop(Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(List.of(home.resolve("bin/stop").toString())).directory(home.toFile())
                .redirectErrorStream(true).redirectOutput(home.resolve("stop.log").toFile());
        pb.environment().putAll(env);
        pb.start().waitFor(30, TimeUnit.SECONDS);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("Karaf did not stop within " + timeout);
        }
        return process.exitValue();
    }

    /** kill -9: the Karaf JVM and its children die at once, nothing is flushed or drained. */
    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /**
     * A database of its own on the shared test PostgreSQL, for a role that is not a superuser (so
     * row-level security applies as in production), as the environment the assembly's cfg reads.
     */
    static Map<String, String> databaseEnv(io.mqttintegration.devdb.EmbeddedDatabase postgres, String name, String password)
            throws java.sql.SQLException {
        postgres.ensureDatabase(name, name, password);
        return Map.of("MQI_DB_URL", postgres.jdbcUrl(name), "MQI_DB_USER", name, "MQI_DB_PASSWORD", password);
    }

    /** A field of a 201 answer's JSON. */
    static String field(HttpResponse<String> response, String name) throws Exception {
        if (response.statusCode() != 201) {
            throw new AssertionError("expected 201: " + response.statusCode() + " " + response.body());
        }
        return io.mqttintegration.parsers.Json.strict().readTree(response.body()).path(name).asText();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
