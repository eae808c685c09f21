package io.mqttintegration.devdb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * For tests: a real Mosquitto 2.x on a free loopback port, with its own configuration, password file
 * and persistence folder, started as a process and stopped at close. Needs the mosquitto and
 * mosquitto_passwd binaries (test.sh installs them).
 */
public final class MosquittoBroker implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final Process process;

    private MosquittoBroker(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** @param users username to password; empty allows anonymous clients */
    public static MosquittoBroker start(Path dir, Map<String, String> users) throws IOException, InterruptedException {
        return start(dir, users, null, null);
    }

    /**
     * Anonymous clients, with more lines of mosquitto.conf: a broker configured as its users do
     * (say {@code max_inflight_messages 0}, Mosquitto's "no maximum").
     */
    public static MosquittoBroker startWith(Path dir, List<String> settings) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        return start(dir, Map.of(), null, null, freePort(), settings);
    }

    /** A TLS listener with the given server certificate and key (PEM files), anonymous clients. */
    public static MosquittoBroker startTls(Path dir, Path certFile, Path keyFile) throws IOException, InterruptedException {
        return start(dir, Map.of(), certFile, keyFile);
    }

    private static MosquittoBroker start(Path dir, Map<String, String> users, Path certFile, Path keyFile)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        return start(dir, users, certFile, keyFile, freePort(), List.of());
    }

    private static MosquittoBroker start(Path dir, Map<String, String> users, Path certFile, Path keyFile, int port,
            List<String> settings) throws IOException, InterruptedException {
        List<String> conf = new ArrayList<>(List.of(
                "user root",
                "listener " + port + " 127.0.0.1",
                "persistence true",
                // Queue without limit for a subscriber that is behind or away (Mosquitto's default,
                // 1000, drops QoS 1 messages beyond it: the tests count every message).
                "max_queued_messages 0",
                "persistence_location " + dir.toAbsolutePath() + "/",
                "log_dest file " + dir.resolve("mosquitto.log").toAbsolutePath(),
                "log_type all"));
        conf.addAll(settings);
        if (certFile != null) {
            conf.add("certfile " + certFile.toAbsolutePath());
            conf.add("keyfile " + keyFile.toAbsolutePath());
        }
        if (users.isEmpty()) {
            conf.add("allow_anonymous true");
        } else {
            Path passwd = dir.resolve("passwd");
            Files.deleteIfExists(passwd);
            Files.createFile(passwd);
            for (Map.Entry<String, String> user : users.entrySet()) {
                run(List.of("mosquitto_passwd", "-b", passwd.toString(), user.getKey(), user.getValue()));
            }
            conf.add("allow_anonymous false");
            conf.add("password_file " + passwd.toAbsolutePath());
        }
        Path confFile = dir.resolve("mosquitto.conf");
        Files.write(confFile, conf);
        return launch(dir, confFile, port);
    }

    private static MosquittoBroker launch(Path dir, Path confFile, int port) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of("mosquitto", "-c", confFile.toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("mosquitto exited: " + Files.readString(dir.resolve("stdout.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return new MosquittoBroker(dir, port, process);
            } catch (IOException e) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
        process.destroyForcibly();
        throw new IOException("mosquitto did not listen on " + port + " within 10 s");
    }

    /**
     * Stops the broker and starts it again on the same port and configuration.
     * @param keepState false deletes the broker's persistence file in between: every session and
     *        subscription is gone, as on a broker that lost its state
     */
    public MosquittoBroker restart(boolean keepState) throws IOException, InterruptedException {
        close();
        if (!keepState) {
            Files.deleteIfExists(dir.resolve("mosquitto.db"));
        }
        return launch(dir, dir.resolve("mosquitto.conf"), port);
    }

    /** Publishes each line as one message with mosquitto_pub (-l), at the given QoS; waits for it. */
    public void publishLines(String topic, List<String> lines, int qos, String user, String password)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-t", topic, "-q", Integer.toString(qos), "-l"));
        if (user != null) {
            cmd.addAll(List.of("-u", user, "-P", password));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write((String.join("\n", lines) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("mosquitto_pub failed: " + new String(p.getInputStream().readAllBytes()));
        }
    }

    /** The broker's log so far (log_type all): connections, subscriptions, disconnects. */
    public String log() throws IOException {
        Path log = dir.resolve("mosquitto.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    public int port() {
        return port;
    }

    /**
     * Starts mosquitto_sub on a topic filter for at most count messages or timeout seconds; the
     * returned process prints "topic payload" lines. Call {@link #subscribed} before publishing.
     */
    public Process subscribe(String filter, int count, int timeoutSeconds, String user, String password) throws IOException {
        return subscribe(filter, count, timeoutSeconds, user, password, null);
    }

    /**
     * The same with a persistent session of this client id (clean session off): what is published
     * while mosquitto_sub reconnects (after a {@link #restart} that keeps the state) waits for it.
     */
    public Process subscribe(String filter, int count, int timeoutSeconds, String user, String password, String persistentClientId)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of("mosquitto_sub", "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-t", filter, "-v", "-C", Integer.toString(count), "-W", Integer.toString(timeoutSeconds), "-q", "1"));
        if (persistentClientId != null) {
            cmd.addAll(List.of("-c", "-i", persistentClientId));
        }
        if (user != null) {
            cmd.addAll(List.of("-u", user, "-P", password));
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Waits (bounded) until the broker's log shows a subscription to the filter. */
    public void subscribed(String filter) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Path log = dir.resolve("mosquitto.log");
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(" " + filter)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new IOException("no subscription to " + filter + " seen in " + log);
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd.subList(0, 1)) + " failed: " + new String(p.getInputStream().readAllBytes()));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
