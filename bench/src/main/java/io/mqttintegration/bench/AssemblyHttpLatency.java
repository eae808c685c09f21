package io.mqttintegration.bench;

/**
 * Open-loop latency of HTTP ingestion (one message per request) on the built assembly at a fixed
 * rate: requests leave on a fixed schedule (IngestBench's open loop, RawHttp keep-alive connections, in
 * this process, not Karaf's), each connection takes the next free slot, and latency counts from the
 * slot's scheduled time, so a stall delays and counts every request behind it (no coordinated omission,
 * as long as enough connections are free: the run prints whether the offered rate was kept).
 *
 * <pre>bench/run.sh assembly-http-latency &lt;requestsPerSecond&gt; [seconds=20] [connections=64]</pre>
 */
public final class AssemblyHttpLatency {

    public static void main(String[] args) {
        Machine.runThenExit(args, AssemblyHttpLatency::run);
    }

    private static void run(String[] args) throws Exception {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: bench/run.sh assembly-http-latency <requestsPerSecond> [seconds] [connections]");
        }
        double rate = Double.parseDouble(args[0]);
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        System.out.printf("assembly HTTP open loop: %.0f requests/s (1 message each), %d s, up to %d connections; load %s%n", rate,
                seconds, connections, Machine.load());
        try (AssemblyStack stack = AssemblyStack.start(null, Integer.getInteger("bench.maxSeconds", 300 + 3 * seconds))) {
            AssemblyStack.Tenant tenant = stack.tenant("bench");
            String key = stack.integrationWithIngestKey(tenant, "{\"host\":\"127.0.0.1\"}")[1];

            IngestBench.openLoop(stack.httpPort, key, connections, Integer.getInteger("bench.warmupSeconds", 45), 1, rate);   // warm-up (the JIT settles), not counted
            System.out.printf("after warm-up: %s%n", stack.karafMemory());

            AssemblyWindow window = AssemblyWindow.open(stack);
            long driverCpu = Machine.cpuMillis();
            long driverStart = System.nanoTime();
            IngestBench.Result r = IngestBench.openLoop(stack.httpPort, key, connections, seconds, 1, rate);
            double driverCores = (Machine.cpuMillis() - driverCpu) / ((System.nanoTime() - driverStart) / 1e6);
            window.close();
            long answered = r.statuses.values().stream().mapToLong(Long::longValue).sum();
            System.out.printf("offered %.0f req/s for %d s (%d requests): answers %s; load %s%n", rate, seconds, (long) (rate * seconds),
                    r.statuses, Machine.load());
            System.out.printf("  latency of the 202s from the scheduled send, ms: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n",
                    r.p(50), r.p(90), r.p(99), r.p(99.9), r.p(100));
            System.out.printf("  %d answered; 202'd messages/s from the first send to the last answer: %.0f%n", answered,
                    r.messagesPerSecond);
            System.out.printf("  the load driver (this JVM, %d connections) used %.2f cores of the machine's %d%n", connections, driverCores,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("  the driver's own lateness (send time minus scheduled time, counted in the latency), ms: p50 %.1f  p99 %.1f"
                    + "  max %.1f%n", Machine.pct(r.sortedLateMicros, 50), Machine.pct(r.sortedLateMicros, 99), Machine.pct(r.sortedLateMicros, 100));
            System.out.printf("  by second of the schedule (second:count/p99/max ms): %s%n", r.timeline());
            window.print("  ");
        }
    }
}
