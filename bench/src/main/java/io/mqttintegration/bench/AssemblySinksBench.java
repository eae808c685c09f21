package io.mqttintegration.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhook sinks on the built assembly: HTTP ingestion (wrk, as assembly-http) with 0, 1 and 3
 * webhook sinks delivering to a bare Vert.x receiver in this JVM (its own process, not Karaf's), each
 * phase's stored rate beside the others, and for each sink phase the delivery rate, how long the
 * backlog took to drain after the load, and the lag from the service's receipt of a message to the
 * receiver's (X-MQI-Received-At, p50/p99). Beside them, in the same run: the bare receiver's own rate
 * under wrk with the same requests (the limit of the receiving side on this machine).
 *
 * <pre>bench/run.sh assembly-sinks [messagesPerRequest=100] [connections=10] [seconds=20]</pre>
 */
public final class AssemblySinksBench {

    public static void main(String[] args) {
        Machine.runThenExit(args, AssemblySinksBench::run);
    }

    /** The bare receiver: 204 to every request, counting deliveries and the lag of each. */
    static final class Receiver implements AutoCloseable {
        final Vertx vertx = Vertx.vertx();
        final HttpServer server;
        final AtomicLong deliveries = new AtomicLong();
        final List<Long> lagMicros = Collections.synchronizedList(new ArrayList<>());
        volatile long firstNanos;
        volatile long lastNanos;

        Receiver() throws Exception {
            server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
                long now = System.nanoTime();
                if (deliveries.getAndIncrement() == 0) {
                    firstNanos = now;
                }
                lastNanos = now;
                String at = req.getHeader("X-MQI-Received-At");
                if (at != null) {
                    Instant received = Instant.parse(at);
                    lagMicros.add(TimeUnit.NANOSECONDS.toMicros(Instant.now().toEpochMilli() * 1_000_000L
                            - received.toEpochMilli() * 1_000_000L));
                }
                req.response().setStatusCode(204).end();
            })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.actualPort() + path;
        }

        void reset() {
            deliveries.set(0);
            lagMicros.clear();
        }

        long percentileMillis(double p) {
            List<Long> sorted = new ArrayList<>(lagMicros);
            if (sorted.isEmpty()) {
                return -1;
            }
            Collections.sort(sorted);
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1)) / 1000;
        }

        @Override
        public void close() throws Exception {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static void run(String[] args) throws Exception {
        int perRequest = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        System.out.printf("assembly sinks: HTTP ingestion, %d message(s) per request, wrk -t2 -c%d, %d s per phase, with 0, 1 and 3"
                + " webhook sinks; load %s%n", perRequest, connections, seconds, Machine.load());
        try (Receiver receiver = new Receiver();
                AssemblyStack stack = AssemblyStack.start(null, Integer.getInteger("bench.maxSeconds", 900 + 12 * seconds))) {
            AssemblyStack.Tenant tenant = stack.tenant("bench");
            String[] integration = stack.integrationWithIngestKey(tenant, "{\"host\":\"127.0.0.1\"}");
            Path script = AssemblyHttpBench.wrkScript(stack.work, integration[1], perRequest);

            // The limit beside: the bare receiver under wrk with the same requests (one request = one delivery).
            List<String> bare = wrkAt(receiver.url("/bare"), script, connections, Math.max(5, seconds / 2));
            System.out.println("bare receiver (this JVM's Vert.x), wrk with the same requests:");
            bare.stream().filter(l -> l.contains("Requests/sec") || l.contains("Latency")).forEach(l -> System.out.println("  | " + l));
            receiver.reset();

            AssemblyHttpBench.wrk(stack, script, connections, Integer.getInteger("bench.warmupSeconds", 45), false);
            int sinks = 0;
            for (int target : new int[] {0, 1, 3}) {
                for (; sinks < target; sinks++) {
                    stack.post("/integrations/" + integration[0] + "/sinks", tenant.adminKey(), "{\"name\":\"hook-" + sinks
                            + "\",\"kind\":\"webhook\",\"settings\":{\"url\":\"" + receiver.url("/in/" + sinks) + "\"}}");
                }
                TimeUnit.SECONDS.sleep(2); // the dispatcher takes a new sink at once (the API asks it to)
                receiver.reset();
                AssemblyWindow window = AssemblyWindow.open(stack);
                AssemblyHttpBench.wrk(stack, script, connections, seconds, false);
                window.close();
                long ended = System.nanoTime();
                System.out.printf("%d sink(s):%n", sinks);
                window.print("  ");
                if (sinks == 0) {
                    continue;
                }
                long expected = window.storedMessages * sinks;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Integer.getInteger("bench.drainSeconds", 600));
                while (receiver.deliveries.get() < expected && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(100);
                }
                long delivered = receiver.deliveries.get();
                double deliverySeconds = (receiver.lastNanos - receiver.firstNanos) / 1e9;
                System.out.printf("  delivered %,d of %,d (%d sink(s) x %,d stored) in %.1f s = %.0f deliveries/s; drained %.1f s after the"
                        + " load ended; lag received -> delivered p50 %d ms, p99 %d ms; load %s%n", delivered, expected, sinks,
                        window.storedMessages, deliverySeconds, delivered / deliverySeconds,
                        Math.max(0, receiver.lastNanos - ended) / 1e9, receiver.percentileMillis(0.50), receiver.percentileMillis(0.99),
                        Machine.load());
            }
        }
    }

    private static List<String> wrkAt(String url, Path script, int connections, int seconds) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--timeout", "10s", "--latency",
                "-s", script.toString(), url).redirectErrorStream(true).start();
        return AssemblyHttpBench.wrkOutput(p, seconds + 60L, false);
    }
}
