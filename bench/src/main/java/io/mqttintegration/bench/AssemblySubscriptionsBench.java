package io.mqttintegration.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Many live subscriptions on one node of the built assembly: N integrations on one Mosquitto, each with
 * a subscription of its own (one MQTT session each), made through the API. Prints the Karaf JVM's
 * threads and RSS (/proc) and the time until all N are connected (GET /metrics,
 * mqi_subscription_state, polled every 500 ms), three times:
 * <ol>
 * <li>after the subscribe calls (from the first call);</li>
 * <li>after a restart of Karaf (bin/stop, bin/karaf server; from the process start: the stored
 * subscriptions start again by themselves);</li>
 * <li>after a restart of Mosquitto (stopped until the service sees every subscription down, then started;
 * from the moment it listens again), with how the reconnections spread over time.</li>
 * </ol>
 *
 * <pre>bench/run.sh assembly-subscriptions [subscriptions=2000]</pre>
 */
public final class AssemblySubscriptionsBench {

    private static final int PHASE_SECONDS = Integer.getInteger("bench.phaseSeconds", 300);

    public static void main(String[] args) {
        Machine.runThenExit(args, AssemblySubscriptionsBench::run);
    }

    private static void run(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        System.out.printf("assembly subscriptions: %,d integrations, each with a live QoS 1 subscription, on one node; load %s%n", n,
                Machine.load());
        // Defaults of Mosquitto 2.0 apart from persistence (off) and max_connections (unlimited is its default).
        try (AssemblyStack stack = AssemblyStack.start(List.of("max_connections -1", "max_inflight_messages 1000",
                "max_queued_messages 1000"), Integer.getInteger("bench.maxSeconds", 3 * PHASE_SECONDS + 300 + n / 5))) {
            long idleThreads = Machine.threads(stack.karafPid());
            long idleRss = Machine.rssMb(stack.karafPid());
            AssemblyStack.Tenant tenant = stack.tenant("bench");
            // The shipped quotas allow 250 integrations and 50 live subscriptions per organization.
            stack.quotas(tenant, "{\"integrations\":" + n + ",\"subscriptions\":" + n + "}");
            long t0 = System.nanoTime();
            List<String> ids = parallel(n, i -> stack.post("/integrations", tenant.adminKey(), "{\"name\":\"s-" + i
                    + "\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + stack.brokerPort() + ",\"topics\":[\"bench/s/" + i
                    + "/devices/+/telemetry\"]}}").path("id").asText());
            System.out.printf("created %,d integrations in %.1f s (4 parallel API clients)%n", n, (System.nanoTime() - t0) / 1e9);

            long start = System.nanoTime();
            parallel(n, i -> stack.post("/integrations/" + ids.get(i) + "/subscribe", tenant.adminKey(), "{}").path("state").asText());
            System.out.printf("subscribe calls answered after %.1f s%n", (System.nanoTime() - start) / 1e9);
            report("after the subscribe calls (from the first call)", stack, n, start, idleThreads, idleRss);

            stack.stopKaraf();
            start = System.nanoTime();
            stack.launchKaraf();
            report("after a Karaf restart (from bin/karaf server)", stack, n, start, -1, -1);

            stack.stopBroker();
            long down = System.nanoTime();
            String downTimeline = awaitConnected(stack, 0, PHASE_SECONDS);
            System.out.printf("Mosquitto stopped: no subscription connected after %.1f s (%s)%n", (System.nanoTime() - down) / 1e9,
                    downTimeline);
            stack.startBrokerAgain();
            report("after a Mosquitto restart (from the moment it listens)", stack, n, System.nanoTime(), -1, -1);
        }
    }

    private static void report(String what, AssemblyStack stack, int n, long start, long idleThreads, long idleRss) throws Exception {
        String timeline = awaitConnected(stack, n, PHASE_SECONDS);
        long pid = stack.karafPid();
        long threads = Machine.threads(pid);
        long rss = Machine.rssMb(pid);
        System.out.printf("%s: all %,d connected after %.1f s; Karaf JVM %d threads, RSS %d MB; load %s%n", what, n,
                (System.nanoTime() - start) / 1e9, threads, rss, Machine.load());
        System.out.printf("  connected over time (s: count): %s%n", timeline);
        if (idleThreads > 0) {
            System.out.printf("  before any subscription: %d threads, RSS %d MB: %.2f threads and %.2f MB per subscription%n",
                    idleThreads, idleRss, (threads - idleThreads) / (double) n, (rss - idleRss) / (double) n);
        }
    }

    /**
     * Polls GET /metrics every 500 ms until exactly {@code target} subscriptions are connected; returns the
     * connected count at the end of each second in which it changed. Throws after {@code seconds}.
     */
    private static String awaitConnected(AssemblyStack stack, int target, int seconds) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        Map<Long, Integer> bySecond = new TreeMap<>();
        while (true) {
            Map<String, Integer> states = states(stack);
            int connected = states.getOrDefault("connected", 0);
            bySecond.put((System.nanoTime() - start) / 1_000_000_000L, connected);
            if (connected == target) {
                StringBuilder timeline = new StringBuilder();
                int last = -1;
                for (Map.Entry<Long, Integer> e : bySecond.entrySet()) {
                    if (e.getValue() != last) {
                        timeline.append(timeline.length() == 0 ? "" : ", ").append(e.getKey()).append(": ").append(e.getValue());
                        last = e.getValue();
                    }
                }
                return timeline + "; states at the end " + states;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not " + target + " connected within " + seconds + " s: " + states);
            }
            Thread.sleep(500);
        }
    }

    /** Subscriptions per state (mqi_subscription_state{...,state="x"} 1). */
    static Map<String, Integer> states(AssemblyStack stack) throws Exception {
        Map<String, Integer> states = new TreeMap<>();
        for (String line : stack.metrics().split("\n")) {
            if (line.startsWith("mqi_subscription_state{") && Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)) == 1) {
                states.merge(line.replaceAll(".*state=\"([^\"]+)\".*", "$1"), 1, Integer::sum);
            }
        }
        return states;
    }

    interface Call {
        String run(int i) throws Exception;
    }

    /** Calls for 0..n-1 on 4 threads; returns the answers in order. */
    static List<String> parallel(int n, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                futures.add(pool.submit(() -> call.run(k)));
            }
            List<String> out = new ArrayList<>();
            for (Future<String> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
