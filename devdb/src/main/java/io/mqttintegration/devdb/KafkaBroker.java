package io.mqttintegration.devdb;

import io.mqttintegration.devdb.kafka.BrokerMain;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * For tests: a real Apache Kafka 4.1.1 broker, single node in KRaft mode (broker and controller in one process,
 * as Kafka's own {@code config/server.properties} runs it), started as a process of its own on free loopback
 * ports, its data under a folder the caller gives. There is no Docker here and no Kafka package: the broker runs
 * from the Maven jars, in its own JVM ({@code -Xmx256m}, Kafka's JVM options otherwise) with Kafka's own
 * dependency set, which the module devdb-kafka resolves at build time; nothing of our test classpath (Camel's
 * Jackson, ...) is mixed into it.
 * <p>
 * Why 4.1.1: it runs on our Java 17 (Kafka 4 brokers need 17; 3.9.1 would run too) and is the KRaft-only line
 * users install today; the kafka-clients our code and tests use are 3.9.1, camel-kafka 4.14.0's, and a 4.x
 * broker serves clients from 2.1 on ({@code KafkaBrokerTest} checks 3.9.1 against it).
 * <p>
 * Its configuration is Kafka's shipped one, auto topic creation included; only addresses and folders are ours.
 * The first {@link #start} in a folder formats the storage ({@code kafka-storage format --standalone}); a later
 * one in the same folder (after {@link #close} or {@link #kill}) starts on the same ports and data. {@code start}
 * returns once Kafka logs "Kafka Server started" (it does once the broker is unfenced and its client listener
 * open) and a client then finds the broker live in the cluster: a producer can send from then on. No fixed
 * wait anywhere. The broker's output is appended to {@code broker.log} in the folder ({@link #log}), for
 * failure messages. It never outlives the test JVM: a shutdown hook stops it, and {@link BrokerMain} stops it
 * when our end of its standard input closes (a test JVM killed with SIGKILL).
 */
public final class KafkaBroker implements AutoCloseable {

    private static final String RESOURCES = "/io/mqttintegration/devdb/kafka/";
    private static final long START_TIMEOUT_SECONDS = 180;
    private static final long STOP_TIMEOUT_SECONDS = 60;
    /** What kafka.server.KafkaRaftServer logs at the end of its startup, once clients can produce. */
    private static final String STARTED_LINE = "Kafka Server started";
    private static final Pattern LISTENERS = Pattern.compile(
            "^listeners=PLAINTEXT://127\\.0\\.0\\.1:(\\d+),CONTROLLER://127\\.0\\.0\\.1:(\\d+)$", Pattern.MULTILINE);

    private final Path dir;
    private final int port;
    private Process process;
    private Thread stopAtExit;
    private Thread output;
    private long lastStartMillis;

    private KafkaBroker(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /**
     * Starts a broker with its data in {@code dir}: a new one (free ports, formatted storage) in a new or empty
     * folder, else the one that ran there before, with its ports and data.
     */
    public static KafkaBroker start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path serverProperties = dir.resolve("server.properties");
        if (!Files.exists(serverProperties)) {
            int brokerPort;
            int controllerPort;
            try (ServerSocket a = loopbackSocket(); ServerSocket b = loopbackSocket()) {
                brokerPort = a.getLocalPort();
                controllerPort = b.getLocalPort();
            }
            String config = resource("server.properties")
                    .replace("${brokerPort}", Integer.toString(brokerPort))
                    .replace("${controllerPort}", Integer.toString(controllerPort))
                    .replace("${logDir}", dir.resolve("data").toAbsolutePath().toString());
            Files.writeString(dir.resolve("log4j2.properties"), resource("log4j2.properties"));
            Files.writeString(serverProperties, config);
        }
        Matcher listeners = LISTENERS.matcher(Files.readString(serverProperties));
        if (!listeners.find()) {
            throw new IOException("no loopback PLAINTEXT and CONTROLLER listeners in " + serverProperties);
        }
        KafkaBroker broker = new KafkaBroker(dir, Integer.parseInt(listeners.group(1)));
        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            broker.format();
        }
        broker.launch();
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** How long the last start took, from launching the JVM to a broker that clients can produce to. */
    public long lastStartMillis() {
        return lastStartMillis;
    }

    /** Creates a topic with the broker's default replication factor and waits until the broker created it. */
    public void createTopic(String name, int partitions) throws IOException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty())))
                    .all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("topic " + name + " was not created", e);
        }
    }

    /** Stops the broker gracefully and starts it again in the same folder: same ports, same data. */
    public void restart() throws IOException, InterruptedException {
        close();
        launch();
    }

    /**
     * Kills the broker's JVM (SIGKILL), as a crash would; waits until it is gone. The next start on this folder
     * recovers the logs and takes about 9 s longer than a restart: Kafka's controller refuses the new incarnation
     * (DUPLICATE_BROKER_REGISTRATION) until the dead one's session times out ({@code broker.session.timeout.ms}).
     */
    public void kill() throws InterruptedException {
        dropStopAtExit();
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        output.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
    }

    /** The broker's output since its first start in this folder (format, every start and stop). */
    public String log() throws IOException {
        Path log = dir.resolve("broker.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    /**
     * Stops the broker gracefully (SIGTERM, as kafka-server-stop does) and waits for its JVM to end. Interrupted,
     * it kills the JVM instead and keeps the interrupt.
     */
    @Override
    public void close() throws IOException {
        dropStopAtExit();
        process.destroy();
        boolean stopped;
        try {
            stopped = process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!stopped) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
            output.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the Kafka broker stopped: killed it", e);
        }
        if (!stopped) {
            throw new IOException("the Kafka broker did not stop within " + STOP_TIMEOUT_SECONDS + " s and was killed; see "
                    + dir.resolve("broker.log"));
        }
    }

    private void format() throws IOException, InterruptedException {
        List<String> command = java(List.of("kafka.tools.StorageTool", "format", "--standalone",
                "--cluster-id", Uuid.randomUuid().toString(), "--config", dir.resolve("server.properties").toString()));
        Process format = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile())).start();
        format.getOutputStream().close();
        if (!format.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            format.destroyForcibly();
            throw new IOException("kafka-storage format did not end within " + START_TIMEOUT_SECONDS + " s:\n" + log());
        }
        if (format.exitValue() != 0) {
            throw new IOException("kafka-storage format failed (exit " + format.exitValue() + "):\n" + log());
        }
    }

    private void launch() throws IOException, InterruptedException {
        Path log = dir.resolve("broker.log");
        Files.writeString(log, "---- KafkaBroker: starting at " + Instant.now() + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        long started = System.nanoTime();
        // Standard input stays a pipe from us: BrokerMain ends the broker when it closes (see the class doc).
        process = new ProcessBuilder(java(List.of(BrokerMain.class.getName(), dir.resolve("server.properties").toString())))
                .redirectErrorStream(true).start();
        Process running = process;
        stopAtExit = new Thread(() -> {
            running.destroy();
            try {
                if (!running.waitFor(10, TimeUnit.SECONDS)) {
                    running.destroyForcibly();
                }
            } catch (InterruptedException e) {
                running.destroyForcibly();
            }
        }, "kafka-broker-stop");
        Runtime.getRuntime().addShutdownHook(stopAtExit);
        CompletableFuture<Void> serverStarted = new CompletableFuture<>();
        output = new Thread(() -> copyOutput(running, log, serverStarted), "kafka-broker-output");
        output.setDaemon(true);
        output.start();
        try {
            awaitReady(serverStarted);
        } catch (IOException | InterruptedException | RuntimeException e) {
            kill();
            throw e;
        }
        lastStartMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    /** Appends the broker's output to broker.log, line by line; completes the future at Kafka's "started" line. */
    private static void copyOutput(Process broker, Path log, CompletableFuture<Void> serverStarted) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(broker.getInputStream(), StandardCharsets.UTF_8));
                BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write(line);
                out.newLine();
                out.flush();
                if (!serverStarted.isDone() && line.contains(STARTED_LINE)) {
                    serverStarted.complete(null);
                }
            }
        } catch (IOException e) {
            serverStarted.completeExceptionally(e);
        }
        serverStarted.completeExceptionally(new IOException("the broker's output ended"));
    }

    /**
     * Waits for Kafka's own "Kafka Server started" (logged once the broker is unfenced and its client listener
     * open), then asks it, as a client, for the cluster's live brokers: it must name itself.
     */
    private void awaitReady(CompletableFuture<Void> serverStarted) throws IOException, InterruptedException {
        try {
            serverStarted.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the Kafka broker did not log \"" + STARTED_LINE + "\" within " + START_TIMEOUT_SECONDS
                    + " s:\n" + log());
        } catch (ExecutionException e) {
            process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            output.join(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
            throw new IOException("the Kafka broker ended before it started (exit "
                    + (process.isAlive() ? "none yet" : process.exitValue()) + "):\n" + log());
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            if (admin.describeCluster().nodes().get(60, TimeUnit.SECONDS).isEmpty()) {
                throw new IOException("the Kafka broker logged that it started, but names no live broker:\n" + log());
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the Kafka broker logged that it started, but does not answer a client:\n" + log(), e);
        }
    }

    private void dropStopAtExit() {
        if (stopAtExit != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(stopAtExit);
            } catch (IllegalStateException e) {
                // the JVM is already exiting: the hook runs anyway
            }
            stopAtExit = null;
        }
    }

    /** The broker's JVM: Kafka's JVM options from kafka-run-class.sh, a smaller heap, Kafka's own classpath. */
    private List<String> java(List<String> mainAndArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
                "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties").toAbsolutePath(),
                "-cp", brokerClasspath()));
        command.addAll(mainAndArgs);
        return command;
    }

    /** BrokerMain's own jar (or classes folder) and the jars devdb-kafka's build listed, each checked to exist. */
    private static String brokerClasspath() throws IOException {
        String listed = resource("broker.classpath").strip();
        for (String jar : listed.split(File.pathSeparator)) {
            if (!Files.isRegularFile(Path.of(jar))) {
                throw new IllegalStateException("the Kafka broker's classpath lists " + jar + ", which is not there (a cleaned"
                        + " Maven repository?): rebuild devdb-kafka, e.g. mvn -pl devdb -am test-compile");
            }
        }
        try {
            Path own = Path.of(BrokerMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return own + File.pathSeparator + listed;
        } catch (URISyntaxException e) {
            throw new IllegalStateException("where BrokerMain was loaded from is not a file", e);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = BrokerMain.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCES + name + " is not on the classpath: it comes with the module"
                        + " devdb-kafka, whose Maven build writes the broker's classpath (broker.classpath) from Kafka's"
                        + " dependency set; build devdb with its dependencies, e.g. mvn -pl devdb -am test-compile");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static ServerSocket loopbackSocket() throws IOException {
        return new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }
}
