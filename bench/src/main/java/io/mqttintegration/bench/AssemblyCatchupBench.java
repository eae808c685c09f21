package io.mqttintegration.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Subscriptions that catch up, on the built assembly, against brokers as their users run them (nothing tuned for the
 * service), each broker with a stack of its own (PostgreSQL, Karaf; see {@link AssemblyStack}):
 * <ul>
 * <li>{@code mosquitto-queued0}: Mosquitto 2.0 defaults but {@code max_queued_messages 0} (it drops nothing);</li>
 * <li>{@code mosquitto-inflight0}: the same and {@code max_inflight_messages 0} (no bound on what it sends: Mosquitto then
 * ignores the client's Receive Maximum);</li>
 * <li>{@code artemis}: Artemis 2.40 in a JVM of its own, its defaults ({@link BareArtemis} stock, -Xmx2g as
 * artemis.profile), anonymous clients.</li>
 * </ul>
 * Scenarios (scale = messages / 100,000):
 * <ol>
 * <li>100,000 messages queued for one subscription while Karaf is stopped (bin/stop), then bin/karaf server;</li>
 * <li>a 50,000-message burst ({@code mosquitto_pub -l -q 1}) while connected, with {@code wrk -t2 -c50} ingesting over
 * HTTP at full speed beside it (into another integration);</li>
 * <li>200 subscriptions with 1,000 queued each (Karaf stopped while they were published), then a Karaf restart, while a
 * paced HTTP client (IngestBench's open loop in this JVM, RawHttp keep-alive connections, 1,000 requests/s on a fixed
 * schedule: wrk cannot pace) keeps ingesting throughout, Karaf's downtime included.</li>
 * </ol>
 * Each prints the time until all are stored, stored msg/s, rows vs distinct messages (database), reconnects (karaf.log:
 * "connected and subscribed" beyond one per subscription and start, and "Reconnecting subscription"), the peak ingest
 * queue depth and in-flight messages (GET /metrics every 100 ms), Karaf's peak RSS and the HTTP answers during it; beside
 * it, on the same broker and the same backlog, a bare Paho v5 subscriber ({@link BarePahoSubscriber}, its own JVM, manual
 * acks, acknowledging at once) and {@code mosquitto_sub -c -q 1}. A catch-up that does not end within
 * {@code bench.catchupSeconds} (300) is reported as far as it got.
 *
 * <pre>bench/run.sh assembly-catchup [messages=100000] [scenarios=1,2,3] [brokers=mosquitto-queued0,mosquitto-inflight0,artemis]</pre>
 */
public final class AssemblyCatchupBench {

    private static final int CATCHUP_SECONDS = Integer.getInteger("bench.catchupSeconds", 300);
    private static final int HTTP_RATE = Integer.getInteger("bench.httpRate", 1000);
    /** How long a bare subscriber may take (a stalled broker stalls them too). */
    private static final int BARE_SECONDS = Integer.getInteger("bench.bareSeconds", 120);
    private static final Map<String, List<String>> BROKERS = new LinkedHashMap<>();

    static {
        BROKERS.put("mosquitto-queued0", List.of("max_queued_messages 0"));
        BROKERS.put("mosquitto-inflight0", List.of("max_queued_messages 0", "max_inflight_messages 0"));
        BROKERS.put("artemis", null);
    }

    private final AssemblyStack stack;
    private final int port;
    private final AssemblyStack.Tenant tenant;

    private AssemblyCatchupBench(AssemblyStack stack, int port, AssemblyStack.Tenant tenant) {
        this.stack = stack;
        this.port = port;
        this.tenant = tenant;
    }

    public static void main(String[] args) {
        Machine.runThenExit(args, AssemblyCatchupBench::run);
    }

    private static void run(String[] args) throws Exception {
        int messages = 100_000;
        Set<String> scenarios = new TreeSet<>(List.of("1", "2", "3"));
        List<String> brokers = new ArrayList<>(BROKERS.keySet());
        for (String a : args) {
            if (a.startsWith("scenarios=")) {
                scenarios = new TreeSet<>(Arrays.asList(a.substring(10).split(",")));
            } else if (a.startsWith("brokers=")) {
                brokers = Arrays.asList(a.substring(8).split(","));
            } else {
                messages = Integer.parseInt(a);
            }
        }
        double scale = messages / 100_000.0;
        int burst = (int) Math.max(1, Math.round(50_000 * scale));
        int subscriptions = Integer.getInteger("bench.subscriptions", 200);
        int perSubscription = (int) Math.max(1, Math.round(1000 * scale));
        System.out.printf("assembly catch-up: scenarios %s on %s; (1) %,d queued for one subscription, (2) a %,d burst beside wrk -c50,"
                + " (3) %d subscriptions x %,d queued and a Karaf restart beside %d HTTP requests/s; at most %d s per catch-up; load %s%n",
                scenarios, brokers, messages, burst, subscriptions, perSubscription, HTTP_RATE, CATCHUP_SECONDS, Machine.load());
        int maxSeconds = Integer.getInteger("bench.maxSeconds", brokers.size() * (300 + scenarios.size() * (CATCHUP_SECONDS + 300)));
        for (String broker : brokers) {
            if (!BROKERS.containsKey(broker)) {
                throw new IllegalArgumentException("unknown broker " + broker + "; known: " + BROKERS.keySet());
            }
            List<String> mosquitto = BROKERS.get(broker);
            System.out.printf("%n=== broker %s ===%n", broker);
            try (AssemblyStack stack = AssemblyStack.start(mosquitto, maxSeconds)) {
                Process artemis = null;
                int port = mosquitto == null ? BenchService.freePort() : stack.brokerPort();
                if (mosquitto == null) {
                    artemis = BareArtemis.start(port, stack.work.resolve("artemis"), true, "2g");
                    System.out.printf("Artemis 2.40 on 127.0.0.1:%d: own JVM (-Xmx2g), stock configuration, security off%n", port);
                }
                try {
                    AssemblyStack.Tenant tenant = stack.tenant("bench");
                    stack.quotas(tenant, "{\"integrations\":" + (subscriptions + 10) + ",\"subscriptions\":" + (subscriptions + 10) + "}");
                    AssemblyCatchupBench bench = new AssemblyCatchupBench(stack, port, tenant);
                    for (String scenario : scenarios) {
                        try {
                            switch (scenario) {
                                case "1" -> bench.queuedWhileStopped(messages);
                                case "2" -> bench.burstBesideWrk(burst);
                                case "3" -> bench.manyAfterRestart(subscriptions, perSubscription);
                                default -> throw new IllegalArgumentException("no scenario " + scenario);
                            }
                        } catch (Exception e) {
                            // A result too (the old code may stall): the next scenario runs on.
                            System.out.printf("  scenario %s ended early: %s%n", scenario, e);
                        }
                    }
                } finally {
                    stack.stopKaraf();
                    if (artemis != null) {
                        artemis.getOutputStream().close();
                        if (!artemis.waitFor(30, TimeUnit.SECONDS)) {
                            artemis.destroyForcibly();
                        }
                    }
                }
            }
        }
    }

    // ---- the scenarios -------------------------------------------------------------------------------

    /** Scenario 1: n messages queued for one subscription while Karaf is stopped, then started. */
    private void queuedWhileStopped(int n) throws Exception {
        System.out.printf("%n-- scenario 1: %,d messages queued for one subscription while Karaf is stopped, then bin/karaf server; load %s%n",
                n, Machine.load());
        Path lines = lines("s1", n);
        Bare paho = pahoBacklog("bench/cu1/paho/devices/d-1/telemetry", 1, lines, n);
        Bare msub = mosquittoSubBacklog("bench/cu1/msub/devices/d-1/telemetry", 1, lines, n);

        String integration = subscribed("bench/cu1/svc/devices/+/telemetry");
        stack.stopKaraf();
        SubscriptionBench.publish(port, "bench/cu1/svc/devices/d-1/telemetry", lines, -1);
        Watch w = new Watch(stack, List.of(integration), n, 1);
        stack.launchKaraf();
        w.healthy();
        long[] cpu = Machine.cpuTicks();
        long karafCpu = stack.karafCpuMillis();
        long from = System.nanoTime();
        w.await();
        double seconds = (System.nanoTime() - from) / 1e9;
        double busy = Machine.busyPercent(cpu, Machine.cpuTicks());
        double karaf = (stack.karafCpuMillis() - karafCpu) / 10.0 / seconds;
        w.report("service (1 subscription, PUBACK after commit)");
        System.out.printf("  CPU from health to all stored (%.1f s): the machine's %d cores %.0f %% busy (all processes), Karaf %.0f %%"
                + " of one core%n", seconds, Runtime.getRuntime().availableProcessors(), busy, karaf);
        System.out.printf("  HTTP: none offered; GET /metrics every 100 ms: %s%n", w.scrapes());
        paho.print("bare Paho v5 subscriber (own JVM, manual acks at once, Receive Maximum 1000)");
        msub.print("mosquitto_sub -V 5 -c -q 1");
        ratio(w, paho, msub);
        // The database's own limit beside it: COPY of rows like the service writes, into a copy of the table.
        String table = AssemblyHttpBench.copyTable(stack);
        for (int connections = 1; connections <= 2; connections++) {
            double copy = CopyBaseline.rate(stack.superuser, table, tenant.organizationId(), integration, connections, 5, 5000);
            System.out.printf("  PostgreSQL COPY into %s, 5,000 rows per transaction, %d connection(s): %.0f rows/s; service = %.1f %%;"
                    + " load %s%n", table, connections, copy, 100 * w.rate() / copy, Machine.load());
        }
        unsubscribe(List.of(integration));
    }

    /** Scenario 2: a burst of n while connected, beside wrk -c50 at full speed. */
    private void burstBesideWrk(int n) throws Exception {
        System.out.printf("%n-- scenario 2: a %,d-message burst while connected, wrk -t2 -c50 ingesting over HTTP beside it; load %s%n", n,
                Machine.load());
        Path lines = lines("s2", n);
        Bare paho = pahoLive("bench/cu2/paho/devices/d-1/telemetry", lines, n);
        String msub;
        try {
            msub = String.format("%,d received, %.0f msg/s", n, AssemblyMqttBench.mosquittoSub(port, "bench/cu2/msub/devices/d-1/telemetry", lines,
                    n, BARE_SECONDS));
        } catch (IllegalStateException e) {
            msub = e.getMessage();
        }

        String integration = subscribed("bench/cu2/svc/devices/+/telemetry");
        String ingestKey = stack.integrationWithIngestKey(tenant, "{\"host\":\"127.0.0.1\"}")[1];
        Path script = AssemblyHttpBench.wrkScript(stack.work, ingestKey, 1);
        AssemblyStack.HttpTimed before = stack.httpTimed();
        Process wrk = AssemblyHttpBench.startWrk(stack, script, 50, CATCHUP_SECONDS + 120, true);
        List<String> wrkOut;
        Watch w;
        try {
            Thread.sleep(5000); // wrk at full speed before the burst
            w = new Watch(stack, List.of(integration), n, 0);
            SubscriptionBench.publish(port, "bench/cu2/svc/devices/d-1/telemetry", lines, -1);
            w.await();
        } finally {
            wrkOut = AssemblyHttpBench.wrkOutput(wrk, 60, true);
        }
        AssemblyStack.HttpTimed during = stack.httpTimed().since(before);
        w.report("service (1 subscription, PUBACK after commit)");
        System.out.printf("  HTTP beside it: wrk -t2 -c50 from 5 s before the burst until all were stored (or the limit):%n");
        wrkOut.forEach(l -> System.out.println("    | " + l));
        System.out.printf("    the service timed %,d HTTP requests meanwhile, mean %.1f ms; GET /metrics every 100 ms: %s%n", during.requests(),
                during.meanMillis(), w.scrapes());
        paho.print("bare Paho v5 subscriber (own JVM, manual acks at once, Receive Maximum 1000; from the first publish)");
        System.out.printf("  mosquitto_sub -V 5 -q 1 (from the first publish): %s%n", msub);
        ratio(w, paho, null);
        unsubscribe(List.of(integration));
    }

    /** Scenario 3: subs subscriptions with per messages queued each during a Karaf restart, paced HTTP ingestion throughout. */
    private void manyAfterRestart(int subs, int per) throws Exception {
        System.out.printf("%n-- scenario 3: %d subscriptions with %,d queued each, then a Karaf restart, %d HTTP requests/s throughout; load %s%n",
                subs, per, HTTP_RATE, Machine.load());
        Path lines = lines("s3", per);
        long total = (long) subs * per;
        Bare paho = pahoBacklog("bench/cu3/paho/{i}/devices/d-1/telemetry", subs, lines, per);
        Bare msub = mosquittoSubBacklog("bench/cu3/msub/{i}/devices/d-1/telemetry", subs, lines, per);

        long t0 = System.nanoTime();
        List<String> ids = AssemblySubscriptionsBench.parallel(subs, i -> stack.post("/integrations", tenant.adminKey(), "{\"name\":\"cu3-" + i
                + "\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + port + ",\"topics\":[\"bench/cu3/svc/" + i
                + "/devices/+/telemetry\"]}}").path("id").asText());
        AssemblySubscriptionsBench.parallel(subs, i -> stack.post("/integrations/" + ids.get(i) + "/subscribe", tenant.adminKey(), "{}")
                .path("state").asText());
        awaitConnected(ids, 300);
        System.out.printf("  %d integrations made and subscribed, all connected after %.1f s%n", subs, (System.nanoTime() - t0) / 1e9);

        String ingestKey = stack.integrationWithIngestKey(tenant, "{\"host\":\"127.0.0.1\"}")[1];
        AtomicBoolean stopHttp = new AtomicBoolean();
        AtomicReference<IngestBench.Result> http = new AtomicReference<>();
        AtomicReference<Exception> httpFailure = new AtomicReference<>();
        long loopStart = System.nanoTime();
        Thread loop = new Thread(() -> {
            try {
                http.set(IngestBench.openLoop(stack.httpPort, ingestKey, 64, CATCHUP_SECONDS + 600, 1, HTTP_RATE, stopHttp::get));
            } catch (Exception e) {
                httpFailure.set(e);
            }
        }, "paced-http");
        loop.start();
        Thread.sleep(5000);
        double stopAt = since(loopStart);
        stack.stopKaraf();
        double stoppedAt = since(loopStart);
        AssemblySubscriptionsBench.parallel(subs, i -> {
            SubscriptionBench.publish(port, "bench/cu3/svc/" + i + "/devices/d-1/telemetry", lines, -1);
            return "";
        });
        Watch w = new Watch(stack, ids, total, subs);
        double launchAt = since(loopStart);
        stack.launchKaraf();
        w.healthy();
        double healthyAt = since(loopStart);
        w.await();
        double doneAt = since(loopStart);
        Thread.sleep(2000);
        stopHttp.set(true);
        loop.join();
        if (httpFailure.get() != null) {
            throw httpFailure.get();
        }
        w.report("service (" + subs + " subscriptions, PUBACK after commit)");
        IngestBench.Result r = http.get();
        System.out.printf("  HTTP beside it (paced at %d req/s, 1 message each, 64 keep-alive connections, from this JVM): answers %s"
                + " (-1: no connection, while Karaf was down)%n", HTTP_RATE, r.statuses);
        System.out.printf("    seconds of the loop: bin/stop at %.1f (ended %.1f), bin/karaf server at %.1f, healthy at %.1f, all stored at %.1f%n",
                stopAt, stoppedAt, launchAt, healthyAt, doneAt);
        System.out.printf("    202s after Karaf was healthy until all were stored: %s%n", answeredAfter(r, healthyAt, doneAt));
        System.out.printf("    answers by the second they came (second:202/other/no connection): %s%n", answersBySecond(r, 0, doneAt + 2));
        System.out.printf("    latency of the 202s from the scheduled send, ms: p50 %.1f  p99 %.1f  max %.1f (a stall delays every slot behind it)%n",
                r.p(50), r.p(99), r.p(100));
        System.out.printf("    GET /metrics every 100 ms: %s%n", w.scrapes());
        paho.print("bare Paho v5 subscribers (" + subs + " clients in one own JVM, manual acks at once, Receive Maximum 1000)");
        msub.print("mosquitto_sub -V 5 -c -q 1 (" + subs + " processes)");
        unsubscribe(ids);
    }

    // ---- the service's side --------------------------------------------------------------------------

    /** An integration on the broker with the topic, subscribed and connected; returns its id. */
    private String subscribed(String topic) throws Exception {
        String integration = stack.integrationWithIngestKey(tenant, "{\"host\":\"127.0.0.1\",\"port\":" + port + ",\"topics\":[\""
                + topic + "\"]}")[0];
        stack.post("/integrations/" + integration + "/subscribe", tenant.adminKey(), "{}");
        AssemblyMqttBench.awaitState(stack, tenant, integration, "connected", 60);
        return integration;
    }

    /** Stops the scenario's subscriptions (their sessions end), so what one left behind does not run into the next. */
    private void unsubscribe(List<String> ids) throws Exception {
        AssemblySubscriptionsBench.parallel(ids.size(), i -> Integer.toString(stack.delete("/integrations/" + ids.get(i) + "/subscribe",
                tenant.adminKey())));
    }

    private void awaitConnected(List<String> ids, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (AssemblySubscriptionsBench.states(stack).getOrDefault("connected", 0) < ids.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not all connected within " + seconds + " s: " + AssemblySubscriptionsBench.states(stack));
            }
            Thread.sleep(200);
        }
    }

    private static void ratio(Watch w, Bare paho, Bare msub) {
        System.out.printf("  ratio: service %.0f stored msg/s = %.1f %% of bare Paho v5 (%.0f msg/s; target >= 75 %%)%s%n", w.rate(),
                100 * w.rate() / paho.rate(), paho.rate(),
                msub == null ? "" : String.format(", %.1f %% of mosquitto_sub (%.0f)", 100 * w.rate() / msub.rate(), msub.rate()));
    }

    /** The whole seconds (of the answers) between from and to: 202s, and those with fewer than 90 % of the offered rate. */
    private static String answeredAfter(IngestBench.Result r, double from, double to) {
        int first = (int) Math.ceil(from);
        int last = (int) Math.floor(to);
        List<Integer> low = new ArrayList<>();
        long answered = 0;
        for (int s = first; s < last; s++) {
            long count = s < r.acceptedAt.length ? r.acceptedAt[s] : 0;
            answered += count;
            if (count < 0.9 * HTTP_RATE) {
                low.add(s);
            }
        }
        return String.format("%,d in %d whole seconds; seconds below 90 %% of the offered rate: %s", answered, Math.max(0, last - first),
                low.isEmpty() ? "none" : low);
    }

    /** Per second of the answers from from to to: "second:202s/other statuses/no connection". */
    private static String answersBySecond(IngestBench.Result r, double from, double to) {
        StringBuilder b = new StringBuilder();
        for (int s = Math.max(0, (int) from); s <= (int) to && s < r.acceptedAt.length; s++) {
            b.append(b.length() == 0 ? "" : " ").append(s).append(':').append(r.acceptedAt[s]).append('/').append(r.otherAt[s]).append('/')
                    .append(r.noConnectionAt[s]);
        }
        return b.toString();
    }

    private static double since(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }

    /**
     * One catch-up watched from outside: GET /metrics every 100 ms (the scenario's subscriptions' stored counters and
     * states, the ingest queue depth, their in-flight messages), Karaf's RSS every 500 ms, karaf.log's connection lines;
     * all is stored when the counters reach the target and the database holds that many distinct messages.
     */
    private static final class Watch {
        private final AssemblyStack stack;
        private final Set<String> ids;
        private final long target;
        private final int expectedConnects;
        private final long start = System.nanoTime();
        private final long connectsBefore;
        private final long redeliveriesBefore;
        private final long failuresBefore;
        private volatile boolean running = true;
        private volatile long stored;
        private volatile long peakQueue;
        private volatile long peakInFlight;
        private volatile long peakRss;
        private volatile long allConnectedAt;
        private volatile long firstStoredAt;
        private volatile long lastStoredAt;
        private volatile long scrapesOk;
        private volatile long scrapesFailed;
        private volatile long slowestScrapeMicros;
        private volatile long healthyAt;
        private long doneAt;
        private long rows;
        private long distinct;
        private boolean complete;
        private final Thread sampler;

        Watch(AssemblyStack stack, List<String> ids, long target, int expectedConnects) throws IOException {
            this.stack = stack;
            this.ids = new HashSet<>(ids);
            this.target = target;
            this.expectedConnects = expectedConnects;
            this.connectsBefore = stack.karafLogLines("connected and subscribed");
            this.redeliveriesBefore = stack.karafLogLines("Reconnecting subscription");
            this.failuresBefore = stack.karafLogLines("could not connect");
            this.healthyAt = expectedConnects == 0 ? start : 0; // 0: Karaf starts now (healthy() says when it answers)
            this.sampler = new Thread(this::sample, "catchup-watch");
            this.sampler.setDaemon(true);
            this.sampler.start();
        }

        /** Karaf answered /health again (after launchKaraf): scrapes failing from now on count. */
        void healthy() {
            healthyAt = System.nanoTime();
        }

        private void sample() {
            for (long i = 0; running; i++) {
                long t = System.nanoTime();
                try {
                    String metrics = stack.metrics();
                    long micros = (System.nanoTime() - t) / 1000;
                    if (healthyAt > 0) {
                        scrapesOk++;
                        slowestScrapeMicros = Math.max(slowestScrapeMicros, micros);
                    }
                    read(metrics, t);
                } catch (Exception e) {
                    if (healthyAt > 0) {
                        scrapesFailed++;
                    }
                }
                if (i % 5 == 0) {
                    peakRss = Math.max(peakRss, Machine.rssMb(stack.karafPid()));
                }
                LockSupport.parkNanos(Math.max(0, 100_000_000L - (System.nanoTime() - t)));
            }
        }

        private void read(String metrics, long t) {
            long sum = 0;
            long inFlight = 0;
            int connected = 0;
            for (String line : metrics.split("\n")) {
                if (line.startsWith("mqi_ingest_queue_depth ")) {
                    peakQueue = Math.max(peakQueue, (long) value(line));
                } else if (line.startsWith("mqi_messages_stored_total{") && line.contains("source=\"mqtt\"") && ours(line)) {
                    sum += (long) value(line);
                } else if (line.startsWith("mqi_messages_in_flight{") && line.contains("source=\"mqtt\"") && ours(line)) {
                    inFlight += (long) value(line);
                } else if (line.startsWith("mqi_subscription_state{") && line.contains("state=\"connected\"") && ours(line)
                        && value(line) == 1) {
                    connected++;
                }
            }
            peakInFlight = Math.max(peakInFlight, inFlight);
            if (allConnectedAt == 0 && connected == ids.size()) {
                allConnectedAt = t;
            }
            if (sum > stored) {
                if (firstStoredAt == 0) {
                    firstStoredAt = t;
                }
                lastStoredAt = t;
            }
            stored = sum;
        }

        private boolean ours(String line) {
            int i = line.indexOf("integration=\"");
            return i >= 0 && ids.contains(line.substring(i + 13, line.indexOf('"', i + 13)));
        }

        private static double value(String line) {
            return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }

        /** Until the target is stored (counters, then distinct rows in the database) or bench.catchupSeconds have passed. */
        void await() throws Exception {
            long deadline = start + TimeUnit.SECONDS.toNanos(CATCHUP_SECONDS);
            long lastCheck = 0;
            while (System.nanoTime() < deadline) {
                long now = System.nanoTime();
                if (stored >= target && now - lastCheck > 2_000_000_000L) {
                    lastCheck = now;
                    count();
                    if (distinct >= target) {
                        complete = true;
                        doneAt = now;
                        break;
                    }
                }
                Thread.sleep(20);
            }
            running = false;
            sampler.join();
            if (!complete) {
                // Stalled: the rate counts to the last progress, not to the limit.
                doneAt = lastStoredAt > 0 ? lastStoredAt : System.nanoTime();
            }
            count();
        }

        private void count() throws Exception {
            String list = "'{" + String.join(",", ids) + "}'::uuid[]";
            String[] r = stack.sql("mqi", "SELECT count(*) || ' ' || count(DISTINCT (topic, payload)) FROM mqtt_messages WHERE seq = 0"
                    + " AND source = 'mqtt' AND integration_id = ANY(" + list + ")").split(" ");
            rows = Long.parseLong(r[0]);
            distinct = Long.parseLong(r[1]);
        }

        /** Distinct messages stored per second: from the first publish, or after a start from the connect (or the first stored message, if seen earlier). */
        double rate() {
            long from = start;
            if (expectedConnects > 0 && (allConnectedAt > 0 || firstStoredAt > 0)) {
                from = allConnectedAt == 0 ? firstStoredAt : firstStoredAt == 0 ? allConnectedAt : Math.min(allConnectedAt, firstStoredAt);
            }
            return distinct / ((doneAt - from) / 1e9);
        }

        void report(String what) throws IOException {
            long connects = stack.karafLogLines("connected and subscribed") - connectsBefore;
            long redeliveries = stack.karafLogLines("Reconnecting subscription") - redeliveriesBefore;
            long failures = stack.karafLogLines("could not connect") - failuresBefore;
            double seconds = (doneAt - start) / 1e9;
            System.out.printf("  %s: %s %,d of %,d stored after %.1f s%s; %.0f stored msg/s%s; load %s%n", what,
                    complete ? "all" : "NOT ALL (nothing more within the limit of " + CATCHUP_SECONDS + " s):", distinct, target, seconds,
                    expectedConnects == 0 ? " from the first publish" : " from bin/karaf server", rate(),
                    expectedConnects == 0 ? "" : String.format(" from the connect (all connected at %.1f s, first stored at %.1f s)",
                            allConnectedAt == 0 ? Double.NaN : (allConnectedAt - start) / 1e9,
                            firstStoredAt == 0 ? Double.NaN : (firstStoredAt - start) / 1e9), Machine.load());
            System.out.printf("    rows %,d for %,d distinct messages (%,d duplicates, %,d missing); reconnects %d (karaf.log: %d \"connected and"
                    + " subscribed\" for %d expected, %d \"Reconnecting subscription\", %d \"could not connect\")%n", rows, distinct,
                    rows - distinct, target - distinct, Math.max(0, connects - expectedConnects), connects, expectedConnects, redeliveries,
                    failures);
            System.out.printf("    peak ingest queue depth %,d, peak messages in flight (its subscriptions) %,d; Karaf RSS peak %d MB, now %s%n",
                    peakQueue, peakInFlight, peakRss, stack.karafMemory());
        }

        String scrapes() {
            return String.format("%,d answered, %,d failed (after health), slowest %.0f ms", scrapesOk, scrapesFailed, slowestScrapeMicros / 1000.0);
        }
    }

    // ---- the bare subscribers ------------------------------------------------------------------------

    /** What a bare subscriber took: launched, connected and last message (epoch ms), received and distinct. */
    private record Bare(long launchedMs, long connectedMs, long lastMs, long received, long distinct, long expected, boolean complete) {

        double rate() {
            return received / ((lastMs - connectedMs) / 1000.0);
        }

        void print(String what) {
            System.out.printf("  %s: %s %,d received (%,d distinct) of %,d, the last %.2f s after its start, %.0f msg/s from its %s%s%n",
                    what, complete ? "all" : "NOT ALL:", received, distinct, expected, (lastMs - launchedMs) / 1000.0, rate(),
                    connectedMs == launchedMs ? "start" : "CONNECT", complete ? "" : " to the last (then nothing more within " + BARE_SECONDS + " s)");
        }
    }

    /** The bare Paho subscriber on a backlog: registers its sessions, the backlog is published, then it connects again. */
    private Bare pahoBacklog(String topic, int clients, Path lines, int per) throws Exception {
        String prefix = "cu-paho-" + System.nanoTime();
        paho("register", prefix, topic, clients, per, null);
        publishEach(topic, clients, lines);
        return paho("receive", prefix, topic, clients, per, null);
    }

    /** The bare Paho subscriber connected when the burst is published; counted from the first publish. */
    private Bare pahoLive(String topic, Path lines, int n) throws Exception {
        long[] published = new long[1];
        Bare b = paho("live", "cu-paho-" + System.nanoTime(), topic, 1, n, () -> {
            published[0] = System.currentTimeMillis();
            SubscriptionBench.publish(port, topic, lines, -1);
        });
        return new Bare(published[0], published[0], b.lastMs(), b.received(), b.distinct(), b.expected(), b.complete());
    }

    interface Step {
        void run() throws Exception;
    }

    /** Runs BarePahoSubscriber in a JVM of its own (whenSubscribed after it printed "subscribed") and reads its result. */
    private Bare paho(String mode, String prefix, String topic, int clients, int per, Step whenSubscribed) throws Exception {
        long launched = System.currentTimeMillis();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), BarePahoSubscriber.class.getName(), mode, Integer.toString(port), prefix, topic,
                Integer.toString(clients), Integer.toString(per), Integer.toString(BARE_SECONDS)).redirectErrorStream(true).start();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                out.add(l);
                if (l.equals("subscribed") && whenSubscribed != null) {
                    whenSubscribed.run();
                } else if (l.equals("registered")) {
                    return null;
                } else if (l.startsWith("done ") || l.startsWith("timeout ")) {
                    String[] f = l.split(" ");
                    return new Bare(launched, Long.parseLong(f[2]), Long.parseLong(f[3]) == 0 ? System.currentTimeMillis() : Long.parseLong(f[3]),
                            Long.parseLong(f[4]), Long.parseLong(f[5]), (long) clients * per, f[0].equals("done")); // f[3]: the last message's time
                }
            }
        } finally {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        throw new IOException("the bare Paho subscriber (" + mode + ") ended without a result: " + String.join("\n", out));
    }

    /**
     * mosquitto_sub on a backlog, one process per topic: each registers its session ({@code -c -x 3600 -E}), the backlog
     * is published, then all start at once again with {@code -C per} and are timed until the last one ended.
     */
    private Bare mosquittoSubBacklog(String topic, int clients, Path lines, int per) throws Exception {
        String prefix = "cu-msub-" + System.nanoTime();
        AssemblySubscriptionsBench.parallel(clients, i -> {
            Process p = mosquittoSub(prefix + "-" + i, topic.replace("{i}", Integer.toString(i)), "-E").start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("mosquitto_sub -E failed: " + new String(p.getInputStream().readAllBytes()));
            }
            return "";
        });
        publishEach(topic, clients, lines);
        Path dir = Files.createTempDirectory(stack.work, "msub");
        long launched = System.currentTimeMillis();
        List<Process> procs = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            procs.add(mosquittoSub(prefix + "-" + i, topic.replace("{i}", Integer.toString(i)), "-C", Integer.toString(per))
                    .redirectOutput(dir.resolve(i + ".out").toFile()).start());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BARE_SECONDS);
        boolean complete = true;
        for (Process p : procs) {
            if (!p.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                complete = false;
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        // All ended: now; one stalled: the last write to an output (block-buffered: within a few KB).
        long last = System.currentTimeMillis();
        long received = 0;
        long distinct = 0;
        long lastWrite = 0;
        for (int i = 0; i < clients; i++) {
            lastWrite = Math.max(lastWrite, Files.getLastModifiedTime(dir.resolve(i + ".out")).toMillis());
            List<String> got = Files.readAllLines(dir.resolve(i + ".out"));
            received += got.size();
            distinct += new HashSet<>(got).size();
        }
        return new Bare(launched, launched, complete ? last : lastWrite, received, distinct, (long) clients * per,
                complete && distinct == (long) clients * per);
    }

    private ProcessBuilder mosquittoSub(String clientId, String topic, String... more) {
        List<String> c = new ArrayList<>(List.of("mosquitto_sub", "-V", "5", "-h", "127.0.0.1", "-p", Integer.toString(port), "-q", "1",
                "-c", "-x", "3600", "-i", clientId, "-t", topic));
        c.addAll(List.of(more));
        return new ProcessBuilder(c).redirectErrorStream(true);
    }

    /** mosquitto_pub -l -q 1 of all lines to each topic ({i} replaced), 4 at a time. */
    private void publishEach(String topic, int clients, Path lines) throws Exception {
        AssemblySubscriptionsBench.parallel(clients, i -> {
            SubscriptionBench.publish(port, topic.replace("{i}", Integer.toString(i)), lines, -1);
            return "";
        });
    }

    private Path lines(String name, int n) throws IOException {
        Path lines = stack.work.resolve(name + "-messages.txt");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(IngestBench.payload(0, i)).append('\n');
        }
        Files.writeString(lines, b);
        return lines;
    }
}
