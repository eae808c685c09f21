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
 * The hosted MQTT broker of the built assembly beside a bare Artemis, in one run. Devices are
 * {@link MqttWire} clients in this process (MQTT 5 over plain sockets, no client library); the bare
 * Artemis ({@link BareArtemis}: the same version and journal, no security, no service) is a process of
 * its own, and so is Karaf.
 * <ol>
 * <li><b>Connect</b>: {@code devices} devices (credentials made through the API) connect at once from
 * 64 threads and hold their connections: the time until every CONNACK 0, and each CONNECT's time. On
 * the assembly every CONNECT is checked against the database (the keyed hash of the password); on the
 * bare broker nothing is checked.</li>
 * <li><b>Ingest</b>: {@code publishers} devices each publish {@code messages} QoS 1 messages under
 * their namespace with {@code window} unacknowledged at most. The assembly: PUBACKs (the message is in
 * the broker's journal) and the moment the last row is committed in PostgreSQL (fsync on), with the
 * window's CPU figures. The bare broker: PUBACKs and the moment one QoS 1 subscriber on
 * {@code devices/#} (a durable session, acknowledging each message) has them all. Both warm up first
 * for {@code bench.warmupSeconds} (30).</li>
 * </ol>
 *
 * <pre>bench/run.sh assembly-hosted [devices=1000] [publishers=100] [messages=200] [window=10]</pre>
 */
public final class AssemblyHostedBench {

    private static final int CONNECT_THREADS = 64;

    public static void main(String[] args) {
        Machine.runThenExit(args, AssemblyHostedBench::run);
    }

    record Device(String username, String password) {
    }

    private static void run(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int publishers = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int messages = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int window = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int warmupSeconds = Integer.getInteger("bench.warmupSeconds", 30);
        System.out.printf("assembly hosted broker: %,d devices connect; %d publishers x %,d QoS 1 messages (window %d); load %s%n",
                devices, publishers, messages, window, Machine.load());
        try (AssemblyStack stack = AssemblyStack.start(null, Integer.getInteger("bench.maxSeconds", 900))) {
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
                long made = System.nanoTime();
                List<Device> all = new ArrayList<>();
                for (int i = 0; i < Math.max(devices, publishers); i++) {
                    JsonNode c = stack.post("/integrations/" + integration + "/credentials", tenant.adminKey(), "{}");
                    all.add(new Device(c.path("username").asText(), c.path("password").asText()));
                }
                System.out.printf("%,d credentials made through the API in %.1f s%n", all.size(), (System.nanoTime() - made) / 1e9);
                awaitListening(stack.hostedPort, all.get(0));
                System.out.printf("hosted broker on 127.0.0.1:%d, bare Artemis 2.40 (pid %d) on 127.0.0.1:%d%n", stack.hostedPort,
                        bare.pid(), barePort);

                // ---- connect ----
                // Once each, not counted: the first connections load classes in both JVMs.
                connectAll(barePort, all.subList(0, Math.min(100, devices)), "warm");
                connectAll(stack.hostedPort, all.subList(0, Math.min(100, devices)), "warm");
                double bareRate = connectAll(barePort, all.subList(0, devices), "bare Artemis (no authentication)");
                long cpu = stack.karafCpuMillis();
                long pgCpu = stack.postgresCpuMillis();
                double hostedRate = connectAll(stack.hostedPort, all.subList(0, devices), "assembly's hosted broker");
                System.out.printf("  Karaf JVM CPU %.0f µs, PostgreSQL CPU %.0f µs per CONNECT; %s%n",
                        1000.0 * (stack.karafCpuMillis() - cpu) / devices, 1000.0 * (stack.postgresCpuMillis() - pgCpu) / devices,
                        stack.karafMemory());
                System.out.printf("connect ratio: hosted %.0f/s = %.1f %% of bare Artemis (%.0f/s)%n", hostedRate,
                        100 * hostedRate / bareRate, bareRate);

                // ---- ingest ----
                List<Device> pubs = all.subList(0, publishers);
                long total = (long) publishers * messages;
                long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
                long rounds = 0;
                do {
                    publishAll(stack.hostedPort, pubs, messages, window);
                    rounds++;
                } while (System.nanoTime() < warmUntil);
                // Every warm-up message committed (the broker's queue empty) before the window opens.
                awaitStored(stack, 0, rounds * total);
                try (BareSubscriber warm = new BareSubscriber(barePort, "bench-bare-sub")) {
                    for (int r = 0; r < Math.max(1, rounds / 2); r++) {
                        warm.expect(total);
                        publishAll(barePort, pubs, messages, window);
                        warm.await();
                    }
                }
                System.out.printf("after warm-up (%,d messages into the assembly): %s%n", rounds * total, stack.karafMemory());

                double bareStored;
                try (BareSubscriber sub = new BareSubscriber(barePort, "bench-bare-sub")) {
                    sub.expect(total);
                    long start = System.nanoTime();
                    long acked = publishAll(barePort, pubs, messages, window);
                    long received = sub.await();
                    bareStored = total / ((received - start) / 1e9);
                    System.out.printf("bare Artemis: %,d PUBACKs after %.2f s (%.0f msg/s); the subscriber had all after %.2f s:"
                            + " %.0f msg/s; load %s%n", total, (acked - start) / 1e9, total / ((acked - start) / 1e9),
                            (received - start) / 1e9, bareStored, Machine.load());
                }

                long base = stack.storedMessages();
                AssemblyWindow w = AssemblyWindow.open(stack);
                long start = System.nanoTime();
                long acked = publishAll(stack.hostedPort, pubs, messages, window);
                long end = awaitStored(stack, base, total);
                w.close(end);
                double ours = total / ((end - start) / 1e9);
                System.out.printf("assembly: %,d PUBACKs after %.2f s (%.0f msg/s); all committed after %.2f s: %.0f stored msg/s;"
                        + " load %s%n", total, (acked - start) / 1e9, total / ((acked - start) / 1e9), (end - start) / 1e9, ours,
                        Machine.load());
                w.print("  ");
                System.out.printf("ingest ratio: assembly %.0f stored msg/s = %.1f %% of the bare Artemis subscriber (%.0f msg/s)%n",
                        ours, 100 * ours / bareStored, bareStored);
            } finally {
                bare.getOutputStream().close();
                if (!bare.waitFor(30, TimeUnit.SECONDS)) {
                    bare.destroyForcibly();
                }
            }
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

    /**
     * Connects every device at once (64 threads) and holds the connections until all have their
     * CONNACK; prints the time and each CONNECT's percentiles; returns connects per second.
     */
    private static double connectAll(int port, List<Device> devices, String what) throws Exception {
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
        open.forEach(MqttWire::close);
        if (what.equals("warm")) {
            return 0;
        }
        long[] sorted = Machine.sorted(micros);
        System.out.printf("%s: %,d of %,d devices connected (CONNACK 0, held open) in %.2f s = %.0f connects/s;"
                + " per CONNECT p50 %.1f ms, p99 %.1f ms; %d failed; load %s%n", what, connected, devices.size(), seconds,
                connected / seconds, Machine.pct(sorted, 50), Machine.pct(sorted, 99), failed.get(), Machine.load());
        return connected / seconds;
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
    private static long awaitStored(AssemblyStack stack, long base, long n) throws Exception {
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
