package io.mqttintegration.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * MQTT QoS 1 subscription to stored rows, beside a bare Paho v5 subscriber on the same broker, with the
 * same publisher (mosquitto_pub -l, QoS 1) and the same N messages, in one run:
 * <ol>
 * <li>bare: a Paho v5 client subscribed at QoS 1 (acknowledging on receipt, Receive Maximum as the
 * service's) counts messages; rate = N / (first publish to last receipt);</li>
 * <li>ours: an integration on the broker, POST /subscribe, then the same publish; rate = N / (first
 * publish to the subscription's "stored" counter grown by N). Each message is acknowledged to the
 * broker only after its commit.</li>
 * </ol>
 * Mosquitto runs with {@code max_queued_messages 0} (its default 1000 drops QoS 1 messages for a
 * subscriber that is behind) and {@code max_inflight_messages} as the service's Receive Maximum.
 *
 * <pre>bench/run.sh mqtt [messages=50000]</pre>
 */
public final class SubscriptionBench {

    public static void main(String[] args) {
        Machine.runThenExit(args, SubscriptionBench::run);
    }

    private static void run(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        Path dir = Files.createTempDirectory("mqi-bench-mosquitto");
        int port = BenchService.freePort();
        // The service's Receive Maximum (shipped: 1000; -Dmqi.set.mqtt.subscription.receiveMaximum=N
        // changes it) is also the broker's in-flight window, so the broker does not cap it lower.
        int receiveMaximum = Integer.parseInt(System.getProperty("mqi.set.mqtt.subscription.receiveMaximum", "1000"));
        Files.write(dir.resolve("mosquitto.conf"), List.of("listener " + port + " 127.0.0.1", "allow_anonymous true",
                "persistence false", "max_queued_messages 0", "max_inflight_messages " + receiveMaximum, "log_type error"));
        Process broker = new ProcessBuilder("mosquitto", "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        try (BenchService s = BenchService.start(Map.of())) {
            awaitPort(port);
            System.out.printf("MQTT QoS 1: %,d messages, mosquitto_pub -l, Mosquitto on %d (max_queued_messages 0,"
                    + " max_inflight_messages %d); load %s%n", n, port, receiveMaximum, Machine.load());
            System.out.printf("after boot: %s%n", Machine.memory());
            Path lines = dir.resolve("messages.txt");
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) {
                b.append(IngestBench.payload(0, i)).append('\n');
            }
            Files.writeString(lines, b);

            // Warm-up of both paths with a few thousand messages (not counted).
            bare(port, "bench/warm/devices/d-1/telemetry", lines, Math.min(n, 5000), true);
            double bareRate = bare(port, "bench/bare/devices/d-1/telemetry", lines, n, false);
            System.out.printf("bare Paho v5 subscriber (QoS 1): %,d received, %.0f msg/s; load %s%n", n, bareRate,
                    Machine.load());

            String integration = s.post("/integrations", s.adminKey, "{\"name\":\"broker\",\"settings\":{\"host\":\"127.0.0.1\","
                    + "\"port\":" + port + ",\"topics\":[\"bench/svc/devices/+/telemetry\"]}}").path("id").asText();
            s.post("/integrations/" + integration + "/subscribe", s.adminKey, "{}");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!"connected".equals(subscription(s, integration).path("state").asText())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("subscription not connected: " + subscription(s, integration));
                }
                Thread.sleep(50);
            }
            publish(port, "bench/svc/devices/d-1/telemetry", lines);   // warm-up, not counted
            awaitStored(s, integration, n, 0);
            long base = subscription(s, integration).path("stored").asLong();
            IngestBench.MemoryPeak peak = IngestBench.MemoryPeak.start();
            long start = System.nanoTime();
            double publishSeconds = publish(port, "bench/svc/devices/d-1/telemetry", lines);
            double seconds = awaitStored(s, integration, n, base) - (start / 1e9);
            peak.stop();
            double ours = n / seconds;
            System.out.printf("service subscription (QoS 1, PUBACK after commit): published in %.2f s, %,d stored after %.2f s:"
                    + " %.0f stored msg/s; load %s%n", publishSeconds, n, seconds, ours, Machine.load());
            System.out.printf("  writer since boot: %s%n", s.writerSummary());
            System.out.printf("  under load (peak): RSS %d MB, heap used %d MB%n", peak.rssMb, peak.heapMb);
            System.out.printf("ratio: service %.0f / bare Paho %.0f = %.1f %%%n", ours, bareRate, 100 * ours / bareRate);
        } finally {
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static JsonNode subscription(BenchService s, String integration) throws Exception {
        return s.get("/integrations/" + integration, s.adminKey).path("subscription");
    }

    /** Waits until the subscription stored n more than base; returns the time (s, nanoTime based). */
    private static double awaitStored(BenchService s, String integration, int n, long base) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (true) {
            long now = System.nanoTime();
            JsonNode sub = subscription(s, integration);
            if (sub.path("stored").asLong() - base >= n) {
                return now / 1e9;
            }
            if (now > deadline) {
                throw new IllegalStateException("not all stored: " + sub);
            }
            Thread.sleep(20);
        }
    }

    /** Subscribes a bare Paho v5 client, publishes, waits for all n; returns messages/s. */
    static double bare(int port, String topic, Path lines, int n, boolean warmup) throws Exception {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "bench-bare-" + System.nanoTime(), new MemoryPersistence());
        AtomicLong received = new AtomicLong();
        CountDownLatch all = new CountDownLatch(1);
        AtomicLong last = new AtomicLong();
        client.setCallback(new BarePahoSubscriber.Callback() {
            @Override
            public void messageArrived(String t, MqttMessage message) {
                if (received.incrementAndGet() == n) {
                    last.set(System.nanoTime());
                    all.countDown();
                }
            }
        });
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setReceiveMaximum(1000);
        client.connect(options);
        client.subscribe(topic, 1);
        long start = System.nanoTime();
        publish(port, topic, lines, n);
        if (!all.await(600, TimeUnit.SECONDS)) {
            throw new IllegalStateException("bare subscriber got " + received.get() + " of " + n);
        }
        client.disconnect();
        client.close();
        return n / ((last.get() - start) / 1e9);
    }

    static double publish(int port, String topic, Path lines) throws IOException, InterruptedException {
        return publish(port, topic, lines, -1);
    }

    /**
     * The most lines one mosquitto_pub -l publishes: it queues every line it reads, and past 65,535 QoS 1 messages
     * waiting for PUBACK its 16-bit message ids wrap and the rest is lost without an error (exit status 0: of
     * 100,000 lines, 34,469 reached every broker and subscriber here; eclipse-mosquitto/mosquitto#2431).
     */
    private static final int LINES_PER_PUBLISHER = 50_000;

    /** mosquitto_pub -l at QoS 1 of the first n lines (all when n < 0), 50,000 lines per process at most; returns the seconds it took. */
    static double publish(int port, String topic, Path lines, int n) throws IOException, InterruptedException {
        long start = System.nanoTime();
        List<String> all = Files.readAllLines(lines);
        List<String> wanted = n < 0 ? all : all.subList(0, n);
        for (int from = 0; from < wanted.size(); from += LINES_PER_PUBLISHER) {
            publishAll(port, topic, wanted.subList(from, Math.min(wanted.size(), from + LINES_PER_PUBLISHER)));
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static void publishAll(int port, String topic, List<String> lines) throws IOException, InterruptedException {
        // Its output goes to a file: a pipe nobody reads fills up and stalls mosquitto_pub mid-input (runs of
        // 100,000 messages hung here).
        Path log = Files.createTempFile("mosquitto_pub", ".log");
        Process p = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(port), "-t", topic, "-q", "1",
                "-l").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (var out = p.getOutputStream()) {
            out.write((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        try {
            if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("mosquitto_pub failed: " + Files.readString(log));
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static void awaitPort(int port) throws Exception {
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IOException("mosquitto did not listen on " + port);
    }
}
