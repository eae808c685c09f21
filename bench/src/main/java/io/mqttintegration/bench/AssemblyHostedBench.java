package io.mqttintegration.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hosted MQTT broker of the built assembly beside a bare Artemis, in one run, with device presence
 * on (as shipped) and off. Devices are {@link MqttWire} clients in this process (MQTT 5 over plain
 * sockets, no client library); the bare Artemis ({@link BareArtemis}: the same version and journal, no
 * security, no service) is a process of its own, and so is Karaf.
 * <ol>
 * <li><b>Bare Artemis</b>: {@code publishers} devices each publish {@code messages} QoS 1 messages with
 * {@code window} unacknowledged at most, after a warm-up of {@code bench.warmupSeconds} (30), until one
 * QoS 1 subscriber on {@code devices/#} (a durable session, acknowledging each message) has them all;
 * then {@code devices} devices connect at once from 64 threads and hold their connections (nothing is
 * checked).</li>
 * <li><b>The assembly</b>, presence on, then (Karaf restarted with {@value #PRESENCE_ENV}=false) off,
 * {@code bench.presenceRounds} times (1): the same connects (credentials made through the API; every
 * CONNECT checked against the database), Karaf's RSS while they are held, with presence on how long
 * until the database shows them all online and, once closed, none held; then the same ingest, until
 * the last row is committed in PostgreSQL (fsync on), with the window's CPU figures.</li>
 * </ol>
 * The summary prints, per round, what presence costs (connects/s and stored msg/s on against off) and
 * the hosted ingest rate beside the bare Artemis subscriber's.
 *
 * <pre>bench/run.sh assembly-hosted [devices=10000] [publishers=100] [messages=1000] [window=10]</pre>
 */
public final class AssemblyHostedBench {

    private static final int CONNECT_THREADS = 64;

    public static void main(String[] args) {
        Machine.runThenExit(args, AssemblyHostedBench::run);
    }

    record Device(String username, String password) {
    }

    private static void run(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int publishers = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int messages = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int window = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int rounds = Integer.getInteger("bench.presenceRounds", 1);
        System.out.printf("assembly hosted broker: %,d devices connect; %d publishers x %,d QoS 1 messages (window %d);"
                + " presence on and off, %d round(s); load %s%n", devices, publishers, messages, window, rounds, Machine.load());
        try (AssemblyStack stack = AssemblyStack.start(null, Integer.getInteger("bench.maxSeconds", 1800))) {
            int barePort = BenchService.freePort();
            Process bare = startBare(barePort, stack.work.resolve("bare-artemis"));
            try {
                AssemblyStack.Tenant tenant = stack.tenant("bench");
                // The devices publish as fast as their window lets them: no per-device rate (its default is 100/s);
                // a device slot is freed when the broker has processed the close, so room for those just closed.
                stack.quotas(tenant, "{\"credentials\":" + (devices + publishers + 10) + ",\"connectedDevices\":" + (2 * devices + publishers)
                        + ",\"deviceMessagesPerSecond\":1000000}");
                String integration = stack.post("/integrations", tenant.adminKey(),
                        "{\"name\":\"devices\",\"settings\":{\"host\":\"broker.example\"}}").path("id").asText();
                List<Device> all = credentials(stack, tenant, integration, Math.max(devices, publishers));
                awaitListening(stack.hostedPort, all.get(0));
                System.out.printf("hosted broker on 127.0.0.1:%d, bare Artemis 2.40 (pid %d) on 127.0.0.1:%d%n", stack.hostedPort,
                        bare.pid(), barePort);
                List<Device> pubs = all.subList(0, publishers);
                long total = (long) publishers * messages;

                // ---- the bare broker: its subscriber's rate, then the connects (Artemis takes minutes to end
                // 10,000 sessions, and an ingest meanwhile measured that: 2,850 msg/s instead of ~17,000) ----
                double bareStored = bareIngest(bare, barePort, pubs, messages, window, total);
                connectAll(barePort, all.subList(0, Math.min(100, devices)), "warm").close();
                double bareRate;
                try (Connected c = connectAll(barePort, all.subList(0, devices), "bare Artemis (no authentication)")) {
                    bareRate = c.rate();
                }
                awaitIdle(bare);

                // ---- the assembly, presence as shipped (on) and off, alternating ----
                List<double[]> on = new ArrayList<>();
                List<double[]> off = new ArrayList<>();
                boolean first = true;
                for (int r = 0; r < rounds; r++) {
                    for (boolean presence : new boolean[] {true, false}) {
                        if (!first) {
                            stack.stopKaraf();
                            stack.karafEnv.put(PRESENCE_ENV, Boolean.toString(presence));
                            stack.launchKaraf();
                            awaitListening(stack.hostedPort, all.get(0));
                        }
                        first = false;
                        System.out.printf("%n---- assembly, presence %s (round %d) ----%n", presence ? "on" : "off", r + 1);
                        (presence ? on : off).add(assembly(stack, all.subList(0, devices), pubs, messages, window, total, presence));
                    }
                }

                System.out.printf("%n---- summary ----%n");
                for (int r = 0; r < rounds; r++) {
                    double[] a = on.get(r);
                    double[] b = off.get(r);
                    System.out.printf("round %d: connects/s presence on %.0f, off %.0f (on = %.1f %% of off); stored msg/s on %.0f, off %.0f"
                            + " (presence costs %.1f %%); RSS with %,d connected on %.0f MB, off %.0f MB%n", r + 1, a[0], b[0],
                            100 * a[0] / b[0], a[1], b[1], 100 * (1 - a[1] / b[1]), devices, a[2], b[2]);
                    System.out.printf("round %d: hosted ingest %.1f %% (presence on) and %.1f %% (off) of the bare Artemis subscriber (%.0f msg/s);"
                            + " connects %.1f %% and %.1f %% of bare Artemis (%.0f/s)%n", r + 1, 100 * a[1] / bareStored,
                            100 * b[1] / bareStored, bareStored, 100 * a[0] / bareRate, 100 * b[0] / bareRate, bareRate);
                }
            } finally {
                bare.getOutputStream().close();
                if (!bare.waitFor(30, TimeUnit.SECONDS)) {
                    bare.destroyForcibly();
                }
            }
        }
    }

    /**
     * Waits (300 s at most) until the bare broker's process is idle (under 5 % of a core over 2 s): it
     * ends the closed sessions in the background, and the assembly's phases must not share the CPU with it.
     */
    private static void awaitIdle(Process bare) throws Exception {
        long start = System.nanoTime();
        long cpu = Machine.cpuMillis(bare.pid());
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(300)) {
            Thread.sleep(2_000);
            long now = Machine.cpuMillis(bare.pid());
            if (now - cpu < 100) {
                break;
            }
            cpu = now;
        }
        System.out.printf("  bare Artemis idle again %.1f s after its devices closed their connections%n", (System.nanoTime() - start) / 1e9);
    }

    /** The environment variable of presence.enabled (docs/operations.md). */
    static final String PRESENCE_ENV = "MQI_PRESENCE_ENABLED";

    /** Credentials made through the API, 8 at a time. */
    private static List<Device> credentials(AssemblyStack stack, AssemblyStack.Tenant tenant, String integration, int n) throws Exception {
        long made = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Device>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(pool.submit(() -> {
                JsonNode c = stack.post("/integrations/" + integration + "/credentials", tenant.adminKey(), "{}");
                return new Device(c.path("username").asText(), c.path("password").asText());
            }));
        }
        List<Device> all = new ArrayList<>();
        for (Future<Device> f : futures) {
            all.add(f.get());
        }
        pool.shutdown();
        System.out.printf("%,d credentials made through the API in %.1f s%n", all.size(), (System.nanoTime() - made) / 1e9);
        return all;
    }

    /**
     * The bare broker's QoS 1 ingest: warm-up, then the moment its subscriber has every message; its
     * rate, and the broker process's CPU per message (the subscriber runs in this JVM), to set beside
     * Karaf's, which holds the same broker work plus the pipeline.
     */
    private static double bareIngest(Process bare, int barePort, List<Device> pubs, int messages, int window, long total) throws Exception {
        int warmupSeconds = Integer.getInteger("bench.warmupSeconds", 30);
        try (BareSubscriber warm = new BareSubscriber(barePort, "bench-bare-sub")) {
            long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
            do {
                warm.expect(total);
                publishAll(barePort, pubs, messages, window);
                warm.await();
            } while (System.nanoTime() < warmUntil);
        }
        try (BareSubscriber sub = new BareSubscriber(barePort, "bench-bare-sub")) {
            sub.expect(total);
            long cpu = Machine.cpuMillis(bare.pid());
            long start = System.nanoTime();
            long acked = publishAll(barePort, pubs, messages, window);
            long received = sub.await();
            long used = Machine.cpuMillis(bare.pid()) - cpu;
            double rate = total / ((received - start) / 1e9);
            System.out.printf("bare Artemis: %,d PUBACKs after %.2f s (%.0f msg/s); the subscriber had all after %.2f s:"
                    + " %.0f msg/s; load %s%n", total, (acked - start) / 1e9, total / ((acked - start) / 1e9),
                    (received - start) / 1e9, rate, Machine.load());
            System.out.printf("  bare Artemis JVM CPU: %.2f cores, %.0f µs per message%n", used / 1000.0 / ((received - start) / 1e9),
                    1000.0 * used / total);
            return rate;
        }
    }

    /**
     * One phase on the assembly as it runs now: every device connects and holds its connection (with
     * presence on: until the database shows them all online), they close (until none is held), then the
     * publishers' warm-up and measured ingest. Returns {connects/s, stored msg/s, RSS MB while connected}.
     */
    private static double[] assembly(AssemblyStack stack, List<Device> devices, List<Device> pubs, int messages, int window,
            long total, boolean presence) throws Exception {
        connectAll(stack.hostedPort, devices.subList(0, Math.min(100, devices.size())), "warm").close();
        awaitClosed(stack, presence);
        long cpu = stack.karafCpuMillis();
        long pgCpu = stack.postgresCpuMillis();
        double rate;
        double rss;
        try (Connected c = connectAll(stack.hostedPort, devices, "assembly's hosted broker, presence " + (presence ? "on" : "off"))) {
            rate = c.rate();
            System.out.printf("  Karaf JVM CPU %.0f µs, PostgreSQL CPU %.0f µs per CONNECT; %s%n",
                    1000.0 * (stack.karafCpuMillis() - cpu) / devices.size(), 1000.0 * (stack.postgresCpuMillis() - pgCpu) / devices.size(),
                    stack.karafMemory());
            rss = Machine.rssMb(stack.karafPid());
            awaitHeld(stack, devices.size(), presence);
        }
        awaitClosed(stack, presence);

        int warmupSeconds = Integer.getInteger("bench.warmupSeconds", 30);
        long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        long base = stack.storedMessages();
        long warmed = 0;
        do {
            publishAll(stack.hostedPort, pubs, messages, window);
            warmed += total;
        } while (System.nanoTime() < warmUntil);
        // Every warm-up message committed (the broker's queue empty) before the window opens.
        awaitStored(stack, base, warmed);
        awaitClosed(stack, presence);
        base = stack.storedMessages();
        AssemblyWindow w = AssemblyWindow.open(stack);
        long start = System.nanoTime();
        long acked = publishAll(stack.hostedPort, pubs, messages, window);
        long end = awaitStored(stack, base, total);
        w.close(end);
        double ours = total / ((end - start) / 1e9);
        System.out.printf("assembly, presence %s: %,d PUBACKs after %.2f s (%.0f msg/s); all committed after %.2f s: %.0f stored msg/s;"
                + " load %s%n", presence ? "on" : "off", total, (acked - start) / 1e9, total / ((acked - start) / 1e9), (end - start) / 1e9,
                ours, Machine.load());
        w.print("  ");
        if (presence) {
            System.out.printf("  presence: %s devices online, %s transitions recorded so far%n",
                    stack.sql("mqi", "SELECT count(*) FROM device_presence WHERE state = 'online'"),
                    stack.sql("mqi", "SELECT count(*) FROM device_transitions"));
        }
        return new double[] {rate, ours, rss};
    }

    /**
     * Waits (300 s at most) until the hosted broker has no device connected ({@code mqi_broker_devices}
     * 0: Artemis has processed every close), prints how long that took, and with presence on until the
     * database shows none held either. A CONNECT while Artemis still ends thousands of sessions can
     * wait past its 5 s and be refused (DISCONNECT 131), so no phase starts before.
     */
    private static void awaitClosed(AssemblyStack stack, boolean presence) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(300);
        double connected;
        while ((connected = brokerDevices(stack)) != 0) {
            if (System.nanoTime() > deadline) {
                System.out.printf("  the hosted broker still had %.0f devices connected after 300 s%n", connected);
                break;
            }
            Thread.sleep(100);
        }
        double waited = (System.nanoTime() - start) / 1e9;
        if (waited > 0.2) {
            System.out.printf("  the hosted broker had ended every connection %.1f s after the devices closed them%n", waited);
        }
        awaitHeld(stack, 0, presence);
    }

    /** mqi_broker_devices; -1 when /metrics did not answer (Karaf busy ending the connections: said once). */
    private static boolean unanswered;

    private static double brokerDevices(AssemblyStack stack) throws Exception {
        String metrics;
        try {
            metrics = stack.metrics();
        } catch (java.io.IOException e) {
            if (!unanswered) {
                System.out.println("  GET /metrics did not answer while the broker ended the connections: " + e.getMessage());
                unanswered = true;
            }
            return -1;
        }
        for (String line : metrics.split("\n")) {
            if (line.startsWith("mqi_broker_devices ")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new IllegalStateException("no mqi_broker_devices in /metrics");
    }

    /**
     * With presence on, waits (120 s at most) until the database shows {@code n} devices held by a hosted
     * connection, and prints how long that took; with presence off, returns at once.
     */
    private static void awaitHeld(AssemblyStack stack, long n, boolean presence) throws Exception {
        if (!presence) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(120);
        long held;
        while ((held = stack.sqlLong("SELECT count(*) FROM device_presence WHERE state = 'online' AND connection_id IS NOT NULL")) != n) {
            if (System.nanoTime() > deadline) {
                System.out.printf("  presence: %,d devices held by a connection in the database after 120 s, not %,d%n", held, n);
                return;
            }
            Thread.sleep(50);
        }
        double waited = (System.nanoTime() - start) / 1e9;
        if (waited > 0.06) {
            System.out.printf("  presence: the database showed %,d devices connected %.2f s later%n", n, waited);
        }
    }

    private static Process startBare(int port, Path dir) throws Exception {
        return BareArtemis.start(port, dir, false, "512m");
    }

    /** The hosted broker starts after the service: retries the first device's CONNECT for 60 s. */
    private static void awaitListening(int port, Device d) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (MqttWire c = MqttWire.connect("127.0.0.1", port, "probe", d.username(), d.password(), true)) {
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(250);
            }
        }
    }

    /** Connections held open, and the rate at which they were made. */
    record Connected(double rate, ConcurrentLinkedQueue<MqttWire> open) implements AutoCloseable {
        @Override
        public void close() {
            open.forEach(MqttWire::close);
        }
    }

    /**
     * Connects every device at once (64 threads) and holds the connections until all have their
     * CONNACK; prints the time and each CONNECT's percentiles. The caller closes them.
     */
    private static Connected connectAll(int port, List<Device> devices, String what) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CONNECT_THREADS);
        ConcurrentLinkedQueue<MqttWire> open = new ConcurrentLinkedQueue<>();
        long[] micros = new long[devices.size()];
        AtomicInteger failed = new AtomicInteger();
        List<Future<?>> done = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < devices.size(); i++) {
            int n = i;
            Device d = devices.get(i);
            done.add(pool.submit(() -> {
                long t = System.nanoTime();
                try {
                    open.add(MqttWire.connect("127.0.0.1", port, d.username(), d.username(), d.password(), true));
                } catch (IOException e) {
                    if (failed.getAndIncrement() == 0) {
                        System.out.println("  a CONNECT failed: " + e.getMessage());
                    }
                }
                micros[n] = (System.nanoTime() - t) / 1000;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        int connected = open.size();
        if (!what.equals("warm")) {
            long[] sorted = Machine.sorted(micros);
            System.out.printf("%s: %,d of %,d devices connected (CONNACK 0, held open) in %.2f s = %.0f connects/s;"
                    + " per CONNECT p50 %.1f ms, p99 %.1f ms; %d failed; load %s%n", what, connected, devices.size(), seconds,
                    connected / seconds, Machine.pct(sorted, 50), Machine.pct(sorted, 99), failed.get(), Machine.load());
        }
        return new Connected(connected / seconds, open);
    }

    /**
     * Each device publishes {@code messages} QoS 1 messages on devices/&lt;username&gt;/telemetry, at most
     * {@code window} unacknowledged; returns the moment of the last PUBACK. A PUBACK with a reason code
     * other than 0 fails the run.
     */
    static long publishAll(int port, List<Device> devices, int messages, int window) throws Exception {
        CountDownLatch allAcked = new CountDownLatch(devices.size());
        AtomicLong lastAck = new AtomicLong();
        AtomicInteger refused = new AtomicInteger();
        List<Thread> writers = new ArrayList<>();
        for (Device d : devices) {
            Thread t = new Thread(() -> {
                try (MqttWire c = MqttWire.connect("127.0.0.1", port, d.username(), d.username(), d.password(), true)) {
                    Semaphore free = new Semaphore(window);
                    Thread reader = new Thread(() -> {
                        try {
                            for (int acked = 0; acked < messages; ) {
                                MqttWire.Packet p = c.read();
                                if (p.type() == MqttWire.PUBACK) {
                                    if (p.pubackReason() != 0) {
                                        refused.incrementAndGet();
                                    }
                                    acked++;
                                    free.release();
                                }
                            }
                            lastAck.accumulateAndGet(System.nanoTime(), Math::max);
                        } catch (IOException e) {
                            System.out.println("  device " + d.username() + ": " + e.getMessage());
                        }
                        allAcked.countDown();
                    }, "puback-" + d.username());
                    reader.start();
                    String topic = "devices/" + d.username() + "/telemetry";
                    for (int i = 0; i < messages; i++) {
                        if (!free.tryAcquire()) {
                            c.flush();
                            free.acquire();
                        }
                        c.publishQos1(topic, i % 65_535 + 1,
                                ("{\"t\":" + (20 + i % 10) + ".5,\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
                    }
                    c.flush();
                    reader.join();
                } catch (Exception e) {
                    System.out.println("  device " + d.username() + " could not publish: " + e.getMessage());
                    allAcked.countDown();
                }
            }, "publish-" + d.username());
            writers.add(t);
            t.start();
        }
        if (!allAcked.await(600, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not every PUBACK arrived within 600 s");
        }
        for (Thread t : writers) {
            t.join();
        }
        if (refused.get() > 0) {
            throw new IllegalStateException(refused.get() + " PUBACKs with a reason code other than 0");
        }
        return lastAck.get();
    }

    /** Polls the stored row count every 20 ms until base + n; returns that moment. */
    static long awaitStored(AssemblyStack stack, long base, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (true) {
            long now = System.nanoTime();
            if (stack.storedMessages() >= base + n) {
                return now;
            }
            if (now > deadline) {
                throw new IllegalStateException("only " + (stack.storedMessages() - base) + " of " + n + " stored after 600 s");
            }
            Thread.sleep(20);
        }
    }

    /** One QoS 1 subscriber on devices/# of the bare broker, in a durable session, acknowledging each message. */
    private static final class BareSubscriber implements AutoCloseable {
        private final MqttWire client;
        private final Thread reader;
        private volatile long target;
        private volatile CountDownLatch reached;
        private volatile long reachedAt;
        private long received;

        BareSubscriber(int port, String clientId) throws IOException {
            client = MqttWire.connect("127.0.0.1", port, clientId, null, null, false);
            int granted = client.subscribeQos1("devices/#");
            if (granted != 1) {
                throw new IOException("the bare broker granted " + granted + " for devices/#");
            }
            reader = new Thread(this::read, "bare-subscriber");
            reader.setDaemon(true);
            reader.start();
        }

        void expect(long n) {
            synchronized (this) {
                target = received + n;
                reached = new CountDownLatch(1);
            }
        }

        long await() throws InterruptedException {
            if (!reached.await(600, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the bare subscriber did not receive everything within 600 s");
            }
            return reachedAt;
        }

        private void read() {
            try {
                while (true) {
                    MqttWire.Packet p = client.read();
                    if (p.type() != MqttWire.PUBLISH) {
                        continue;
                    }
                    if (((p.flags() >> 1) & 3) == 1) {
                        client.puback(MqttWire.receivedPacketId(p));
                        if (!client.pending()) {
                            client.flush();
                        }
                    }
                    synchronized (this) {
                        if (++received == target) {
                            reachedAt = System.nanoTime();
                            reached.countDown();
                        }
                    }
                }
            } catch (IOException e) {
                // closed
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
