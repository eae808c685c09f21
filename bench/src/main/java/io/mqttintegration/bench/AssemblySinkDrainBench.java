package io.mqttintegration.bench;

import io.mqttintegration.devdb.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One sink's delivery rate on its own, on the built assembly: what a sink can deliver when nothing
 * else runs beside it. {@code assembly-sinks} measures deliveries while ingestion takes the same two
 * cores; here the sink is paused while wrk fills its backlog (as assembly-http, 100 messages a request),
 * then resumed, and the backlog drains with no load beside it: deliveries/s from the first to the last,
 * and the CPU Karaf and PostgreSQL spent per delivery in that time. The limit beside it, in the same
 * run: the bare Vert.x receiver under wrk (webhook), or a bare producer with the sink's settings
 * (Kafka).
 *
 * <pre>bench/run.sh assembly-sink-drain [kind=webhook|kafka] [fillSeconds=20]</pre>
 * {@code -Dbench.jfr=<file>} records a JFR profile of Karaf (jcmd, settings=profile) while the backlog drains.
 */
public final class AssemblySinkDrainBench {

    public static void main(String[] args) {
        Machine.runThenExit(args, AssemblySinkDrainBench::run);
    }

    private static void run(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "webhook";
        int fillSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        if (!kind.equals("webhook") && !kind.equals("kafka")) {
            throw new IllegalArgumentException("kind: webhook or kafka, not " + kind);
        }
        System.out.printf("assembly sink drain: one %s sink paused while wrk (100 messages a request, -c10) fills its backlog for %d s,"
                + " then resumed with nothing else running; load %s%n", kind, fillSeconds, Machine.load());
        try (AssemblySinksBench.Receiver receiver = new AssemblySinksBench.Receiver();
                AssemblyStack stack = AssemblyStack.start(null, Integer.getInteger("bench.maxSeconds", 1800))) {
            AssemblyStack.Tenant tenant = stack.tenant("bench");
            String[] integration = stack.integrationWithIngestKey(tenant, "{\"host\":\"127.0.0.1\"}");
            Path script = AssemblyHttpBench.wrkScript(stack.work, integration[1], 100);
            AssemblyHttpBench.wrk(stack, script, 10, Integer.getInteger("bench.warmupSeconds", 30), false);
            if (kind.equals("webhook")) {
                Process wrk = new ProcessBuilder("wrk", "-t2", "-c10", "-d10s", "--timeout", "10s", "-s", script.toString(),
                        receiver.url("/bare")).redirectErrorStream(true).start();
                double bareRate = requestsPerSecond(AssemblyHttpBench.wrkOutput(wrk, 70, false));
                System.out.printf("bare receiver (the bench JVM's Vert.x, 204 to everything) under wrk -c10, the same requests: %.0f req/s%n",
                        bareRate);
                String body = "{\"name\":\"hook\",\"kind\":\"webhook\",\"body\":\"raw\",\"settings\":{\"url\":\"" + receiver.url("/in/0")
                        + "\"}}";
                drain(stack, tenant, integration[0], script, fillSeconds, body, receiver.deliveries);
            } else {
                try (KafkaBroker kafka = KafkaBroker.start(stack.work.resolve("kafka"))) {
                    kafka.createTopic("drain", 3);
                    kafka.createTopic("drain-bare", 3);
                    KafkaTopicReader reader = new KafkaTopicReader(kafka.bootstrapServers(), List.of("drain"), 10_000);
                    try {
                        String body = "{\"name\":\"kafka\",\"kind\":\"kafka\",\"body\":\"raw\",\"settings\":{\"brokers\":\""
                                + kafka.bootstrapServers() + "\",\"topic\":\"drain\"}}";
                        String sink = drain(stack, tenant, integration[0], script, fillSeconds, body, reader.deliveries);
                        stack.delete("/integrations/" + integration[0] + "/sinks/" + sink, tenant.adminKey());
                        reader.check();
                    } finally {
                        reader.close();
                    }
                    BareKafkaProducer.Result bare = BareKafkaProducer.run(kafka.bootstrapServers(), "drain-bare", reader.sample, 10);
                    System.out.printf("bare Kafka producer (the bench JVM, acks=all, idempotence), the sink's first %,d records again:"
                            + " %.0f records/s; load %s%n", reader.sample.size(), bare.perSecond(), Machine.load());
                }
            }
        }
    }

    /** Makes the sink, pauses it, fills its backlog, resumes it and prints how the backlog drained; returns the sink's id. */
    private static String drain(AssemblyStack stack, AssemblyStack.Tenant tenant, String integration, Path script, int fillSeconds,
            String sinkBody, Deliveries deliveries) throws Exception {
        String sinks = "/integrations/" + integration + "/sinks/";
        String sink = stack.post("/integrations/" + integration + "/sinks", tenant.adminKey(), sinkBody).path("id").asText();
        stack.post(sinks + sink + "/pause", tenant.adminKey(), "");
        TimeUnit.SECONDS.sleep(2);
        AssemblyWindow fill = AssemblyWindow.open(stack);
        AssemblyHttpBench.wrk(stack, script, 10, fillSeconds, false);
        fill.close();
        System.out.println("backlog filled (sink paused):");
        fill.print("  ");
        TimeUnit.SECONDS.sleep(3);
        deliveries.reset();
        long karaf = stack.karafCpuMillis();
        long postgres = stack.postgresCpuMillis();
        long started = System.nanoTime();
        String jfr = System.getProperty("bench.jfr");
        stack.post(sinks + sink + "/resume", tenant.adminKey(), "");
        if (jfr != null) {
            Files.deleteIfExists(Path.of(jfr));
            new ProcessBuilder("jcmd", Long.toString(stack.karafPid()), "JFR.start", "name=drain", "settings=profile",
                    "filename=" + jfr).inheritIO().start().waitFor();
        }
        deliveries.awaitCount(fill.storedMessages, Integer.getInteger("bench.drainSeconds", 600), started);
        long karafMs = stack.karafCpuMillis() - karaf;
        long postgresMs = stack.postgresCpuMillis() - postgres;
        if (jfr != null) {
            new ProcessBuilder("jcmd", Long.toString(stack.karafPid()), "JFR.stop", "name=drain").inheritIO().start().waitFor();
        }
        long n = deliveries.count();
        System.out.printf("drain: delivered %,d of %,d in %.1f s = %.0f deliveries/s; Karaf %.0f µs and PostgreSQL %.0f µs of CPU per"
                + " delivery; load %s%n", n, fill.storedMessages, deliveries.seconds(), deliveries.perSecond(), karafMs * 1000.0 / Math.max(1, n),
                postgresMs * 1000.0 / Math.max(1, n), Machine.load());
        return sink;
    }

    private static double requestsPerSecond(List<String> wrk) {
        return wrk.stream().filter(l -> l.startsWith("Requests/sec:")).mapToDouble(l -> Double.parseDouble(l.substring(13).trim()))
                .findFirst().orElse(Double.NaN);
    }
}
