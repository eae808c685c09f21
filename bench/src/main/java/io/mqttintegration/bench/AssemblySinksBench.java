package io.mqttintegration.bench;

import io.mqttintegration.devdb.KafkaBroker;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Sinks on the built assembly (issue 29): HTTP ingestion (wrk, as assembly-http) with 0, 1 and 3
 * sinks of each kind, webhook then Kafka, each phase's stored rate beside the 0-sink phase's; for each
 * sink phase the delivery rate, how long the backlog took to drain after the load, and the lag from the
 * service's receipt of a message to its arrival (p50/p99); after each kind's 1-sink phase, an open loop
 * at half the rate that phase stored, with its lag. Beside them, in the same run, the limits:
 * <ul>
 * <li>webhook: a bare Vert.x receiver in this JVM (its own process, not Karaf's) answering 204; the
 * sinks POST to it, and its own rate under wrk with the same requests is the receiving side's limit; the
 * lag from the X-MQI-Received-At header;</li>
 * <li>Kafka: a real Kafka 4.1.1 broker (KRaft, its own JVM, devdb's KafkaBroker: Kafka's shipped
 * server.properties), the sinks made through the API with the raw body, as the webhook sinks, their records
 * read by a plain consumer in this JVM, the lag from the mqi-received-at header; the limit is a bare
 * producer in this JVM ({@code acks=all}, idempotence) sending the same records again.</li>
 * </ul>
 * The end prints every figure against issue 29's targets with its limit beside it.
 *
 * <pre>bench/run.sh assembly-sinks [messagesPerRequest=100] [connections=10; 50 with 1 message per request] [seconds=20]</pre>
 */
public final class AssemblySinksBench {

    /** How many devices the messages come from, in turn (the wrk script's and the open loop's). */
    static final int DEVICES = 1000;

    public static void main(String[] args) {
        Machine.runThenExit(args, AssemblySinksBench::run);
    }

    /** The bare receiver: 204 to every request, counting deliveries and the lag of each. */
    static final class Receiver implements AutoCloseable {
        final Vertx vertx = Vertx.vertx();
        final HttpServer server;
        final Deliveries deliveries = new Deliveries();

        Receiver() throws Exception {
            server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
                String at = req.getHeader("X-MQI-Received-At");
                deliveries.arrived(at == null ? null : Instant.parse(at));
                req.response().setStatusCode(204).end();
            })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        String url(String path) {
            return "http://127.0.0.1:" + server.actualPort() + path;
        }

        @Override
        public void close() throws Exception {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A kind's figures, for the summary: stored msg/s with 1 and 3 sinks, deliveries/s, and the lag at half rate. */
    static final class KindFigures {
        final String kind;
        double stored1;
        double delivered1;
        double stored3;
        double delivered3;
        double halfOfferedPerSecond;
        double halfLagP50;
        double halfLagP99;

        KindFigures(String kind) {
            this.kind = kind;
        }
    }

    private final AssemblyStack stack;
    private final String integration;
    private final String ingestKey;
    private final AssemblyStack.Tenant tenant;
    private final Path script;
    private final int perRequest;
    private final int connections;
    private final int seconds;
    private final int drainSeconds = Integer.getInteger("bench.drainSeconds", 600);
    private double stored0;

    private AssemblySinksBench(AssemblyStack stack, AssemblyStack.Tenant tenant, String[] integration, Path script, int perRequest,
            int connections, int seconds) {
        this.stack = stack;
        this.tenant = tenant;
        this.integration = integration[0];
        this.ingestKey = integration[1];
        this.script = script;
        this.perRequest = perRequest;
        this.connections = connections;
        this.seconds = seconds;
    }

    private static void run(String[] args) throws Exception {
        int perRequest = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        // assembly-http's two measurements: 1 message per request on 50 connections, 100 on 10.
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : perRequest == 1 ? 50 : 10;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        System.out.printf("assembly sinks: HTTP ingestion, %d message(s) per request, wrk -t2 -c%d, %d s per phase, with 0, 1 and 3"
                + " webhook sinks, then 1 and 3 Kafka sinks; at half the 1-sink rate, open loop; load %s%n", perRequest, connections,
                seconds, Machine.load());
        try (Receiver receiver = new Receiver();
                AssemblyStack stack = AssemblyStack.start(null, Integer.getInteger("bench.maxSeconds", 1800 + 16 * seconds))) {
            AssemblyStack.Tenant tenant = stack.tenant("bench");
            String[] integration = stack.integrationWithIngestKey(tenant, "{\"host\":\"127.0.0.1\"}");
            Path script = AssemblyHttpBench.wrkScript(stack.work, integration[1], perRequest);
            new AssemblySinksBench(stack, tenant, integration, script, perRequest, connections, seconds).phases(receiver);
        }
    }

    private void phases(Receiver receiver) throws Exception {
        // The limit of the receiving side: the bare receiver under wrk with the same requests (one request = one delivery).
        List<String> bare = wrkAt(receiver.url("/bare"), Math.max(5, seconds / 2));
        System.out.println("bare receiver (this JVM's Vert.x), wrk with the same requests:");
        bare.stream().filter(l -> l.contains("Requests/sec") || l.contains("Latency")).forEach(l -> System.out.println("  | " + l));
        double bareReceiver = bare.stream().filter(l -> l.startsWith("Requests/sec:")).mapToDouble(l -> Double.parseDouble(l.substring(13)
                .trim())).findFirst().orElse(Double.NaN);

        AssemblyHttpBench.wrk(stack, script, connections, Integer.getInteger("bench.warmupSeconds", 45), false);
        System.out.println("0 sink(s):");
        stored0 = closedLoop(0, null, null).storedPerSecond();

        KindFigures webhook = new KindFigures("webhook");
        List<String> hooks = kind(webhook, receiver.deliveries, i -> "{\"name\":\"hook-" + i + "\",\"kind\":\"webhook\",\"settings\":{\"url\":\""
                + receiver.url("/in/" + i) + "\"}}");
        deleteSinks(hooks);

        KindFigures kafkaFigures = new KindFigures("kafka");
        BareKafkaProducer.Result bareProducer;
        int partitions = Integer.getInteger("bench.kafkaPartitions", 3);
        try (KafkaBroker kafka = KafkaBroker.start(stack.work.resolve("kafka"))) {
            String brokers = kafka.bootstrapServers();
            List<String> topics = List.of("bench-sink-0", "bench-sink-1", "bench-sink-2");
            for (String topic : topics) {
                kafka.createTopic(topic, partitions);
            }
            kafka.createTopic("bench-bare", partitions);
            System.out.printf("Kafka 4.1.1 broker (KRaft, its own JVM, -Xmx256m, Kafka's shipped server.properties) at %s, started in %.1f s;"
                    + " topics %s and bench-bare, %d partitions each; load %s%n", brokers, kafka.lastStartMillis() / 1000.0, topics,
                    partitions, Machine.load());
            List<String> sinks;
            KafkaTopicReader reader = new KafkaTopicReader(brokers, topics, 10_000);
            try {
                sinks = kind(kafkaFigures, reader.deliveries, i -> "{\"name\":\"kafka-" + i + "\",\"kind\":\"kafka\",\"body\":\"raw\","
                        + "\"settings\":{\"brokers\":\"" + brokers + "\",\"topic\":\"" + topics.get(i) + "\"}}");
                reader.check();
            } finally {
                reader.close();
            }
            // The sinks go before the broker does: their producers close while it is there.
            deleteSinks(sinks);
            bareProducer = BareKafkaProducer.run(brokers, "bench-bare", reader.sample, Math.max(5, seconds / 2));
            System.out.printf("bare Kafka producer (this JVM, acks=all, idempotence, the client's defaults otherwise), the sinks' first %,d"
                    + " records again (mean value %.0f bytes, keys of %d devices): %,d acknowledged, %d failed in %.1f s = %.0f records/s;"
                    + " load %s%n", reader.sample.size(), bareProducer.meanValueBytes(), reader.sample.stream().map(r -> r.key()).distinct()
                    .count(), bareProducer.acknowledged(), bareProducer.failed(), bareProducer.seconds(), bareProducer.perSecond(),
                    Machine.load());
        }
        summary(webhook, "the bare receiver", bareReceiver, "req/s", 10_000);
        summary(kafkaFigures, "the bare producer", bareProducer.perSecond(), "records/s", 30_000);
    }

    /**
     * One kind: 1 sink (closed loop, then the open loop at half the rate it stored), then 3; returns the
     * ids of the sinks it made.
     */
    private List<String> kind(KindFigures figures, Deliveries deliveries, IntFunction<String> sink) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int target : new int[] {1, 3}) {
            while (ids.size() < target) {
                ids.add(stack.post("/integrations/" + integration + "/sinks", tenant.adminKey(), sink.apply(ids.size())).path("id")
                        .asText());
            }
            TimeUnit.SECONDS.sleep(2); // the dispatcher takes a new sink at once (the API asks it to)
            System.out.printf("%d %s sink(s):%n", target, figures.kind);
            AssemblyWindow window = closedLoop(target, deliveries, figures.kind);
            if (target == 1) {
                figures.stored1 = window.storedPerSecond();
                figures.delivered1 = deliveries.perSecond();
                halfRate(figures, deliveries);
            } else {
                figures.stored3 = window.storedPerSecond();
                figures.delivered3 = deliveries.perSecond();
            }
        }
        return ids;
    }

    /** wrk for the phase's seconds with the sinks there are, then the wait until every stored message was delivered to each. */
    private AssemblyWindow closedLoop(int sinks, Deliveries deliveries, String kind) throws Exception {
        if (deliveries != null) {
            deliveries.reset();
        }
        AssemblyWindow window = AssemblyWindow.open(stack);
        AssemblyHttpBench.wrk(stack, script, connections, seconds, false);
        window.close();
        long ended = System.nanoTime();
        window.print("  ");
        if (sinks > 0) {
            System.out.printf("  stored %.0f msg/s beside %.0f with no sink: %d sink(s) cost %.1f %% of the ingest rate%n",
                    window.storedPerSecond(), stored0, sinks, 100 * (1 - window.storedPerSecond() / stored0));
            delivered(kind, sinks, window.storedMessages, deliveries, ended);
        }
        return window;
    }

    /** The open loop at half the rate the 1-sink phase stored, the messages spread over the devices as wrk's are. */
    private void halfRate(KindFigures figures, Deliveries deliveries) throws Exception {
        double messagesPerSecond = figures.stored1 / 2;
        int open = Integer.getInteger("bench.openConnections", 64);
        deliveries.reset();
        AssemblyWindow window = AssemblyWindow.open(stack);
        IngestBench.Result r = IngestBench.openLoop(stack.httpPort, ingestKey, open, seconds, perRequest, messagesPerSecond / perRequest,
                () -> false, spreadOverDevices(perRequest));
        window.close();
        long ended = System.nanoTime();
        figures.halfOfferedPerSecond = messagesPerSecond;
        System.out.printf("1 %s sink, open loop at half the rate it stored: %.0f msg/s offered (%.1f requests/s of %d, up to %d connections)"
                + " for %d s: answers %s, 202s p50 %.1f ms, p99 %.1f ms from the scheduled send; %.0f msg/s 202'd%n", figures.kind,
                messagesPerSecond, messagesPerSecond / perRequest, perRequest, open, seconds, r.statuses, r.p(50), r.p(99),
                r.messagesPerSecond);
        window.print("  ");
        delivered(figures.kind, 1, window.storedMessages, deliveries, ended);
        figures.halfLagP50 = deliveries.lagMillis(50);
        figures.halfLagP99 = deliveries.lagMillis(99);
    }

    private void delivered(String kind, int sinks, long stored, Deliveries deliveries, long ended) throws Exception {
        long expected = stored * sinks;
        double drained = deliveries.awaitCount(expected, drainSeconds, ended);
        long delivered = deliveries.count();
        System.out.printf("  %s: delivered %,d of %,d (%d sink(s) x %,d stored) in %.1f s = %.0f deliveries/s; drained %.1f s after the"
                + " load ended; lag received -> %s p50 %.0f ms, p99 %.0f ms; load %s%n", kind, delivered, expected, sinks, stored,
                deliveries.seconds(), deliveries.perSecond(), drained, kind.equals("kafka") ? "consumed" : "delivered",
                deliveries.lagMillis(50), deliveries.lagMillis(99), Machine.load());
    }

    private void summary(KindFigures f, String limitName, double limit, String unit, double target) {
        System.out.printf("%s against issue 29's targets (%d message(s) per request):%n", f.kind, perRequest);
        double cost = 100 * (1 - f.stored1 / stored0);
        System.out.printf("  one sink costs %.1f %% of the ingest rate (%.0f stored msg/s with it, %.0f without; 3 sinks: %.0f)"
                + "  target <= 20 %%: %s%n", cost, f.stored1, stored0, f.stored3, cost <= 20 ? "met" : "missed");
        System.out.printf("  delivery, 1 sink: %.0f msg/s; 3 sinks: %.0f in all; %s %.0f %s (1 sink at %.1f %% of it)"
                + "  target >= %,.0f msg/s: %s%n", f.delivered1, f.delivered3, limitName, limit, unit, 100 * f.delivered1 / limit, target,
                f.delivered1 >= target ? "met" : "missed");
        System.out.printf("  lag received -> %s at half the 1-sink rate (%.0f msg/s offered): p50 %.0f ms, p99 %.0f ms"
                + "  target p99 < 1 s: %s%n", f.kind.equals("kafka") ? "consumed" : "delivered", f.halfOfferedPerSecond, f.halfLagP50,
                f.halfLagP99, f.halfLagP99 < 1000 ? "met" : "missed");
    }

    private void deleteSinks(List<String> ids) throws Exception {
        for (String id : ids) {
            int status = stack.delete("/integrations/" + integration + "/sinks/" + id, tenant.adminKey());
            if (status / 100 != 2) {
                throw new IllegalStateException("DELETE sink " + id + ": " + status);
            }
        }
    }

    /** Request bodies as the wrk script makes them: perRequest messages, from devices d-0 ... d-999 in turn. */
    static IngestBench.Bodies spreadOverDevices(int perRequest) {
        AtomicLong seq = new AtomicLong();
        return (client, i) -> {
            StringBuilder b = new StringBuilder(perRequest == 1 ? "" : "[");
            for (int k = 0; k < perRequest; k++) {
                long n = seq.incrementAndGet();
                b.append(k == 0 ? "" : ",").append("{\"topic\":\"bench/devices/d-").append(n % DEVICES).append("/telemetry\",\"payload\":")
                        .append(IngestBench.payload(client, n)).append('}');
            }
            return b.append(perRequest == 1 ? "" : "]").toString().getBytes(StandardCharsets.UTF_8);
        };
    }

    private List<String> wrkAt(String url, int wrkSeconds) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + wrkSeconds + "s", "--timeout", "10s", "--latency",
                "-s", script.toString(), url).redirectErrorStream(true).start();
        return AssemblyHttpBench.wrkOutput(p, wrkSeconds + 60L, false);
    }
}
