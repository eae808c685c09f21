package io.mqttintegration.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MQTT QoS 1 into one subscription of the built assembly, beside two bare subscribers on the same
 * Mosquitto with the same publisher ({@code mosquitto_pub -l -q 1}, its own process) and the same N
 * messages, in one run:
 * <ol>
 * <li>a bare Paho v5 subscriber (SubscriptionBench's, in this process), QoS 1, acknowledging on receipt,
 * after a warm-up of {@code bench.warmupSeconds} (45);</li>
 * <li>{@code mosquitto_sub -V 5 -q 1} (its own process, output line-buffered so it can be counted);</li>
 * <li>the service: an integration on the broker, POST /subscribe, then the same publish; our figure is
 * N / (first publish to the subscription's stored counter grown by N), after a warm-up of
 * {@code bench.warmupSeconds} (the N messages again and again), with the rows stored in the
 * database over that window printed beside it. Each message is acknowledged only after its commit.</li>
 * </ol>
 * Mosquitto: {@code max_queued_messages 0} (its default 1000 drops QoS 1 messages for a subscriber that is
 * behind) and {@code max_inflight_messages} = the shipped {@code mqtt.subscription.receiveMaximum}.
 *
 * <pre>bench/run.sh assembly-mqtt [messages=50000]</pre>
 */
public final class AssemblyMqttBench {

    public static void main(String[] args) {
        Machine.runThenExit(args, AssemblyMqttBench::run);
    }

    private static void run(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        Path etc = BenchService.repoRoot().resolve("assembly/target/assembly/etc");
        String receiveMaximum = BenchService.shippedDefaults(etc).getOrDefault("mqtt.subscription.receiveMaximum", "1000");
        System.out.printf("assembly MQTT QoS 1: %,d messages, mosquitto_pub -l -q 1; load %s%n", n, Machine.load());
        try (AssemblyStack stack = AssemblyStack.start(List.of("max_queued_messages 0", "max_inflight_messages " + receiveMaximum),
                Integer.getInteger("bench.maxSeconds", 600 + n / 100))) {
            int port = stack.brokerPort();
            Path lines = stack.work.resolve("messages.txt");
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) {
                b.append(IngestBench.payload(0, i)).append('\n');
            }
            Files.writeString(lines, b);
            int warm = Math.min(n, 5000);

            // The bare subscriber's JVM (this one) warms up as long as the service does.
            int warmupSeconds = Integer.getInteger("bench.warmupSeconds", 45);
            long bareWarmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
            do {
                SubscriptionBench.bare(port, "bench/warm/devices/d-1/telemetry", lines, n, true);
            } while (System.nanoTime() < bareWarmUntil);
            double paho = SubscriptionBench.bare(port, "bench/bare/devices/d-1/telemetry", lines, n, false);
            System.out.printf("bare Paho v5 subscriber (QoS 1): %,d received, %.0f msg/s; load %s%n", n, paho, Machine.load());

            mosquittoSub(port, "bench/msubwarm/devices/d-1/telemetry", lines, warm);
            double msub = mosquittoSub(port, "bench/msub/devices/d-1/telemetry", lines, n);
            System.out.printf("mosquitto_sub -V 5 -q 1: %,d received, %.0f msg/s; load %s%n", n, msub, Machine.load());

            AssemblyStack.Tenant tenant = stack.tenant("bench");
            String integration = stack.integrationWithIngestKey(tenant, "{\"host\":\"127.0.0.1\",\"port\":" + port
                    + ",\"topics\":[\"bench/svc/devices/+/telemetry\"]}")[0];
            stack.post("/integrations/" + integration + "/subscribe", tenant.adminKey(), "{}");
            awaitState(stack, tenant, integration, "connected", 60);
            // Warm-up, not counted: the whole set again and again for bench.warmupSeconds (45, as the HTTP
            // benchmarks: on these 2-core machines C2 still compiles a minute after boot, and 5,000 messages
            // measured a service still being compiled).
            long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long warmed = 0;
            do {
                SubscriptionBench.publish(port, "bench/svc/devices/d-1/telemetry", lines, -1);
                warmed += n;
                awaitStored(stack, tenant, integration, warmed);
            } while (System.nanoTime() < warmUntil);
            System.out.printf("after warm-up (%,d messages): %s%n", warmed, stack.karafMemory());

            long base = stored(stack, tenant, integration);
            AssemblyWindow window = AssemblyWindow.open(stack);
            long start = System.nanoTime();
            double publishSeconds = SubscriptionBench.publish(port, "bench/svc/devices/d-1/telemetry", lines, -1);
            long end = awaitStored(stack, tenant, integration, base + n);
            window.close(end);
            double ours = n / ((end - start) / 1e9);
            System.out.printf("service subscription (QoS 1, PUBACK after commit): published in %.2f s, %,d stored after %.2f s:"
                    + " %.0f stored msg/s; load %s%n", publishSeconds, n, (end - start) / 1e9, ours, Machine.load());
            window.print("  ");
            System.out.printf("ratio: service %.0f msg/s = %.1f %% of bare Paho v5 (%.0f), %.1f %% of mosquitto_sub (%.0f)%n", ours,
                    100 * ours / paho, paho, 100 * ours / msub, msub);
        }
    }

    /**
     * mosquitto_sub (MQTT 5, QoS 1) on the topic and a probe topic; probes are published until one
     * arrives (so the subscription is in place), then the first n lines; returns messages/s from the
     * first publish to the n-th line mosquitto_sub printed.
     */
    static double mosquittoSub(int port, String topic, Path lines, int n) throws Exception {
        return mosquittoSub(port, topic, lines, n, 600);
    }

    /** The same, giving up (IllegalStateException) when not all came within waitSeconds. */
    static double mosquittoSub(int port, String topic, Path lines, int n, int waitSeconds) throws Exception {
        String probe = topic + "/probe";
        Process sub = new ProcessBuilder("stdbuf", "-oL", "mosquitto_sub", "-V", "5", "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-q", "1", "-i", "bench-msub-" + System.nanoTime(), "-t", topic, "-t", probe).redirectErrorStream(true).start();
        CountDownLatch subscribed = new CountDownLatch(1);
        CountDownLatch all = new CountDownLatch(1);
        AtomicLong last = new AtomicLong();
        Thread reader = new Thread(() -> {
            long received = 0;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(sub.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    if (l.equals("probe")) {
                        subscribed.countDown();
                    } else if (++received == n) {
                        last.set(System.nanoTime());
                        all.countDown();
                    }
                }
            } catch (Exception e) {
                // the process ended
            }
        }, "mosquitto_sub-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            for (int i = 0; subscribed.getCount() > 0; i++) {
                if (i == 50) {
                    throw new IllegalStateException("mosquitto_sub never received a probe");
                }
                new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(port), "-q", "1", "-t", probe, "-m", "probe")
                        .start().waitFor(10, TimeUnit.SECONDS);
                subscribed.await(200, TimeUnit.MILLISECONDS);
            }
            long start = System.nanoTime();
            SubscriptionBench.publish(port, topic, lines, n);
            if (!all.await(waitSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("mosquitto_sub did not receive all " + n + " within " + waitSeconds + " s");
            }
            return n / ((last.get() - start) / 1e9);
        } finally {
            sub.destroy();
            sub.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static long stored(AssemblyStack stack, AssemblyStack.Tenant t, String integration) throws Exception {
        return stack.get("/integrations/" + integration, t.adminKey()).path("subscription").path("stored").asLong();
    }

    /** Polls the subscription's stored counter every 20 ms until it reaches target; returns that moment (nanoTime). */
    private static long awaitStored(AssemblyStack stack, AssemblyStack.Tenant t, String integration, long target) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (true) {
            long now = System.nanoTime();
            if (stored(stack, t, integration) >= target) {
                return now;
            }
            if (now > deadline) {
                throw new IllegalStateException("not all stored: " + stack.get("/integrations/" + integration, t.adminKey()));
            }
            Thread.sleep(20);
        }
    }

    static void awaitState(AssemblyStack stack, AssemblyStack.Tenant t, String integration, String state, int seconds)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!state.equals(stack.get("/integrations/" + integration, t.adminKey()).path("subscription").path("state").asText())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("subscription not " + state + ": " + stack.get("/integrations/" + integration, t.adminKey()));
            }
            Thread.sleep(50);
        }
    }
}
