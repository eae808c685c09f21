package io.mqttintegration.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * HTTP ingestion on the real service (in this JVM) next to PostgreSQL's COPY rate into the same table,
 * in one run:
 * <ol>
 * <li>closed loop: {@code clients} keep-alive connections each POST as fast as their 202s come back
 * (a 202 means committed): stored messages/s, p50/p99 of the 202;</li>
 * <li>open loop at half that rate (requests sent on a fixed schedule, latency from the scheduled
 * time, so a stall is not hidden): p50/p99;</li>
 * <li>COPY of the same rows on one and on two connections.</li>
 * </ol>
 * The JVM's RSS and heap are printed after boot and at the peak of the load.
 *
 * <pre>bench/run.sh ingest [messagesPerRequest=1] [clients=50] [seconds=20]</pre>
 */
public final class IngestBench {

    public static void main(String[] args) {
        Machine.runThenExit(args, IngestBench::run);
    }

    private static void run(String[] args) throws Exception {
        int perRequest = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        boolean halfLoad = perRequest == 1 && !Boolean.getBoolean("bench.noHalfLoad");
        System.out.printf("HTTP ingestion: %d message(s) per request, %d connections, %d s per phase; load %s%n",
                perRequest, clients, seconds, Machine.load());
        try (BenchService s = BenchService.start(Map.of())) {
            System.gc();
            System.out.printf("after boot: %s; load %s%n", Machine.memory(), Machine.load());
            int port = s.service.httpPort();

            Result warm = closedLoop(port, s.ingestKey, clients, Math.max(3, seconds / 4), perRequest, 1_000_000);
            System.out.printf("warm-up: %.0f msg/s (not counted)%n", warm.messagesPerSecond);

            long rowsBefore = s.storedRows();
            MemoryPeak peak = MemoryPeak.start();
            long cpu = Machine.cpuMillis();
            Result r = closedLoop(port, s.ingestKey, clients, seconds, perRequest, 2_000_000);
            cpu = Machine.cpuMillis() - cpu;
            peak.stop();
            long rowsAfter = s.storedRows();
            System.out.printf("closed loop (%d connections): answers %s; load %s%n", clients, r.statuses, Machine.load());
            System.out.printf("  stored msg/s (202 = committed): %.0f   202 latency ms: p50 %.1f  p99 %.1f  max %.1f%n",
                    r.messagesPerSecond, r.p(50), r.p(99), r.p(100));
            System.out.printf("  rows stored during the phase: %d (202'd messages: %d)%n", rowsAfter - rowsBefore, r.messages);
            System.out.printf("  JVM CPU (service + driver): %.2f ms per request%n",
                    cpu / (double) r.statuses.values().stream().mapToLong(Long::longValue).sum());
            System.out.printf("  writer since boot: %s%n", s.writerSummary());
            System.out.printf("  under load (peak): RSS %d MB, heap used %d MB%n", peak.rssMb, peak.heapMb);

            if (halfLoad) {
                double rate = r.messagesPerSecond / 2 / perRequest;
                Result h = openLoop(port, s.ingestKey, clients, seconds, perRequest, rate);
                System.out.printf("open loop at half (%.0f req/s offered): answers %s, %.0f stored msg/s; load %s%n", rate,
                        h.statuses, h.messagesPerSecond, Machine.load());
                System.out.printf("  latency from the scheduled send, ms: p50 %.1f  p99 %.1f  max %.1f%n", h.p(50), h.p(99),
                        h.p(100));
            }

            if (Boolean.getBoolean("bench.noCopy")) {
                return;
            }
            int copySeconds = Math.max(5, seconds / 2);
            double copy1 = CopyBaseline.rate(s.dataSource(), s.organizationId, s.integrationId, 1, copySeconds, 5000);
            System.out.printf("PostgreSQL COPY, same rows, 5,000 per transaction, 1 connection: %.0f rows/s; load %s%n", copy1,
                    Machine.load());
            double copy2 = CopyBaseline.rate(s.dataSource(), s.organizationId, s.integrationId, 2, copySeconds, 5000);
            System.out.printf("PostgreSQL COPY, same rows, 5,000 per transaction, 2 connections: %.0f rows/s; load %s%n", copy2,
                    Machine.load());
            double best = Math.max(copy1, copy2);
            System.out.printf("ratio: HTTP %d/request stored %.0f msg/s = %.1f %% of the best COPY rate (%.0f rows/s)%n",
                    perRequest, r.messagesPerSecond, 100 * r.messagesPerSecond / best, best);
        }
    }

    /** One message's JSON payload, about 150 bytes (the request body with its topic is about 200). */
    static String payload(int client, long seq) {
        return "{\"seq\":" + seq + ",\"temperature\":21.5,\"humidity\":40.2,\"pressure\":1013.25,\"battery\":3.71,"
                + "\"rssi\":-67,\"ts\":\"" + Instant.ofEpochMilli(System.currentTimeMillis()) + "\"}";
    }

    static byte[] body(int client, long seq, int n) {
        StringBuilder b = new StringBuilder(n == 1 ? "" : "[");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("{\"topic\":\"bench/devices/d-").append(client).append("/telemetry\",\"payload\":")
                    .append(payload(client, seq + i)).append('}');
        }
        return b.append(n == 1 ? "" : "]").toString().getBytes(StandardCharsets.UTF_8);
    }

    static final class Result {
        final Map<Integer, Long> statuses = new TreeMap<>();
        long messages;
        double messagesPerSecond;
        long[] sortedMicros = new long[0];
        /** How late each request left after its scheduled time (µs, open loop only): the driver's own share of the latency. */
        long[] sortedLateMicros = new long[0];
        /** The latencies (µs) of the 202s by the second of the run their request was sent (or scheduled) in. */
        long[][] microsBySecond = new long[0][];
        /** By the second of the run the answer came in: 202s, other statuses, no connection (-1). */
        long[] acceptedAt = new long[0];
        long[] otherAt = new long[0];
        long[] noConnectionAt = new long[0];

        double p(double pct) {
            return Machine.pct(sortedMicros, pct);
        }

        /** Per second of the run: "second:count/p99/max" (ms), to tell a stall from a steady tail. */
        String timeline() {
            StringBuilder b = new StringBuilder();
            for (int s = 0; s < microsBySecond.length; s++) {
                long[] sorted = Machine.sorted(microsBySecond[s]);
                if (sorted.length > 0) {
                    b.append(String.format(" %d:%d/%.0f/%.0f", s + 1, sorted.length, Machine.pct(sorted, 99),
                            Machine.pct(sorted, 100)));
                }
            }
            return b.toString().trim();
        }
    }

    static Result closedLoop(int port, String key, int clients, int seconds, int perRequest, int clientBase)
            throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        return run(port, key, clients, perRequest, perConnection(clientBase, perRequest),
                (client, i) -> System.nanoTime() < end ? 0L : -1L, seconds);
    }

    /** Requests at a fixed rate overall; each connection takes the next slot; latency counts from the slot. */
    static Result openLoop(int port, String key, int clients, int seconds, int perRequest, double requestsPerSecond)
            throws Exception {
        return openLoop(port, key, clients, seconds, perRequest, requestsPerSecond, () -> false);
    }

    /** The open loop, ended early (no slot after it) once stop says so. */
    static Result openLoop(int port, String key, int clients, int seconds, int perRequest, double requestsPerSecond,
            java.util.function.BooleanSupplier stop) throws Exception {
        return openLoop(port, key, clients, seconds, perRequest, requestsPerSecond, stop, perConnection(3_000_000, perRequest));
    }

    /** The open loop with request bodies of the caller's (perRequest messages each, for the count of stored messages). */
    static Result openLoop(int port, String key, int clients, int seconds, int perRequest, double requestsPerSecond,
            java.util.function.BooleanSupplier stop, Bodies bodies) throws Exception {
        long start = System.nanoTime() + 100_000_000L;
        long total = (long) (requestsPerSecond * seconds);
        AtomicLong next = new AtomicLong();
        return run(port, key, clients, perRequest, bodies, (client, i) -> {
            long slot = next.getAndIncrement();
            if (slot >= total || stop.getAsBoolean()) {
                return -1L;
            }
            long at = start + (long) (slot * 1e9 / requestsPerSecond);
            long wait;
            while ((wait = at - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            return at;
        }, seconds);
    }

    /** Gives the time a request counts from (0: now), or -1 when the connection should stop. */
    interface Schedule {
        long next(int client, long i);
    }

    /** The body of a connection's i-th request. */
    interface Bodies {
        byte[] body(int client, long i);
    }

    /** Each connection one device of its own (clientBase + client), all its requests' messages that device's. */
    static Bodies perConnection(int clientBase, int perRequest) {
        return (client, i) -> body(clientBase + client, i * perRequest, perRequest);
    }

    private static Result run(int port, String key, int clients, int perRequest, Bodies bodies, Schedule schedule, int seconds)
            throws Exception {
        Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        AtomicLongArray acceptedAt = new AtomicLongArray(seconds + 120);
        AtomicLongArray otherAt = new AtomicLongArray(seconds + 120);
        AtomicLongArray noConnectionAt = new AtomicLongArray(seconds + 120);
        AtomicLong messages = new AtomicLong();
        long[][] latencies = new long[clients][];
        int[][] sentIn = new int[clients][];
        long[][] lateness = new long[clients][];
        Thread[] threads = new Thread[clients];
        long started = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads[c] = new Thread(() -> {
                long[] lat = new long[1 << 14];
                long[] late = new long[1 << 14];
                int[] sec = new int[1 << 14];
                int n = 0;
                try (RawHttp http = new RawHttp("127.0.0.1", port)) {
                    for (long i = 0; ; i++) {
                        long from = schedule.next(client, i);
                        if (from < 0) {
                            break;
                        }
                        byte[] body = bodies.body(client, i);
                        long t0 = from == 0 ? System.nanoTime() : from;
                        long lateMicros = (System.nanoTime() - t0) / 1000;
                        int status = http.post("/api/v1/ingest", key, body);
                        long micros = (System.nanoTime() - t0) / 1000;
                        statuses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                        int at = (int) Math.min(acceptedAt.length() - 1, (System.nanoTime() - started) / 1_000_000_000L);
                        (status == 202 ? acceptedAt : status < 0 ? noConnectionAt : otherAt).incrementAndGet(at);
                        if (status == 202) {
                            messages.addAndGet(perRequest);
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, n * 2);
                                sec = Arrays.copyOf(sec, n * 2);
                                late = Arrays.copyOf(late, n * 2);
                            }
                            late[n] = lateMicros;
                            sec[n] = (int) Math.max(0, (t0 - started) / 1_000_000_000L);
                            lat[n++] = micros;
                        }
                    }
                }
                latencies[client] = Arrays.copyOf(lat, n);
                sentIn[client] = Arrays.copyOf(sec, n);
                lateness[client] = Arrays.copyOf(late, n);
            }, "load-" + c);
            threads[c].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        Result r = new Result();
        statuses.forEach((k, v) -> r.statuses.put(k, v.get()));
        r.messages = messages.get();
        r.messagesPerSecond = r.messages / elapsed;
        r.sortedMicros = Machine.sorted(Arrays.stream(latencies).flatMapToLong(Arrays::stream).toArray());
        int last = Arrays.stream(sentIn).flatMapToInt(Arrays::stream).max().orElse(-1);
        long[][] bySecond = new long[last + 1][];
        int[] counts = new int[last + 1];
        for (int[] client : sentIn) {
            for (int s : client) {
                counts[s]++;
            }
        }
        for (int s = 0; s <= last; s++) {
            bySecond[s] = new long[counts[s]];
            counts[s] = 0;
        }
        for (int c = 0; c < clients; c++) {
            for (int i = 0; i < sentIn[c].length; i++) {
                int s = sentIn[c][i];
                bySecond[s][counts[s]++] = latencies[c][i];
            }
        }
        r.microsBySecond = bySecond;
        r.acceptedAt = toArray(acceptedAt);
        r.otherAt = toArray(otherAt);
        r.noConnectionAt = toArray(noConnectionAt);
        r.sortedLateMicros = Machine.sorted(Arrays.stream(lateness).flatMapToLong(Arrays::stream).toArray());
        return r;
    }

    private static long[] toArray(AtomicLongArray a) {
        long[] out = new long[a.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i);
        }
        return out;
    }

    /** Samples RSS and heap every 200 ms and keeps the highest. */
    static final class MemoryPeak {
        volatile boolean running = true;
        volatile long rssMb;
        volatile long heapMb;
        private Thread thread;

        static MemoryPeak start() {
            MemoryPeak p = new MemoryPeak();
            p.thread = new Thread(() -> {
                var mem = java.lang.management.ManagementFactory.getMemoryMXBean();
                while (p.running) {
                    p.rssMb = Math.max(p.rssMb, Machine.rssMb());
                    p.heapMb = Math.max(p.heapMb, mem.getHeapMemoryUsage().getUsed() >> 20);
                    LockSupport.parkNanos(200_000_000L);
                }
            }, "memory-peak");
            p.thread.setDaemon(true);
            p.thread.start();
            return p;
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }
    }
}
