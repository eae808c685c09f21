package io.mqttintegration.bench;

import io.mqttintegration.parsers.Reading;
import io.mqttintegration.storage.DeadLetterStore;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.MessageWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The storage writer alone (no HTTP, no Camel): MessageWriter.write of parsed batches, one thread,
 * for a fixed time, beside PostgreSQL COPY of the same rows on one connection, in one run. Tells how
 * much of the ingestion limit is the writer's.
 *
 * <pre>bench/run.sh writer [batchSize=500] [seconds=10]</pre>
 */
public final class WriterBench {

    public static void main(String[] args) {
        Machine.runThenExit(args, WriterBench::run);
    }

    private static void run(String[] args) throws Exception {
        int batchSize = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        try (BenchService s = BenchService.start(Map.of())) {
            System.out.printf("writer alone: batches of %d, %d s; load %s%n", batchSize, seconds, Machine.load());
            MessageWriter writer = new MessageWriter(s.dataSource(), new DeadLetterStore(s.dataSource()));
            UUID org = UUID.fromString(s.organizationId);
            UUID integration = UUID.fromString(s.integrationId);
            run(writer, org, integration, batchSize, Math.max(3, seconds / 3));   // warm-up
            long cpu = Machine.cpuMillis();
            double rate = run(writer, org, integration, batchSize, seconds);
            cpu = Machine.cpuMillis() - cpu;
            System.out.printf("MessageWriter (JDBC batch): %.0f rows/s, JVM CPU %.3f ms per row; load %s%n", rate,
                    cpu / (rate * seconds), Machine.load());
            double copy = CopyBaseline.rate(s.dataSource(), s.organizationId, s.integrationId, 1, seconds, batchSize);
            System.out.printf("COPY, same rows, %d per transaction, 1 connection: %.0f rows/s; load %s%n", batchSize, copy,
                    Machine.load());
            System.out.printf("ratio: writer / COPY = %.1f %%%n", 100 * rate / copy);
        }
    }

    private static double run(MessageWriter writer, UUID org, UUID integration, int batchSize, int seconds) {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        long start = System.nanoTime();
        long rows = 0;
        long seq = 0;
        while (System.nanoTime() < end) {
            List<InboundMessage> batch = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++, seq++) {
                String payload = IngestBench.payload(1, seq);
                InboundMessage m = new InboundMessage(InboundMessage.Source.HTTP, "bench/devices/d-1/telemetry",
                        payload.getBytes(StandardCharsets.UTF_8), "application/json", Instant.now(), org, integration);
                Map<String, Object> metrics = new LinkedHashMap<>();
                metrics.put("seq", seq);
                metrics.put("temperature", 21.5);
                metrics.put("humidity", 40.2);
                metrics.put("pressure", 1013.25);
                metrics.put("battery", 3.71);
                metrics.put("rssi", -67);
                m.parsed(List.of(new Reading("d-1", Instant.now(), metrics)));
                batch.add(m);
            }
            writer.write(batch);
            for (InboundMessage m : batch) {
                if (m.outcome().isCompletedExceptionally()) {
                    throw new IllegalStateException("not stored: " + m.outcome());
                }
            }
            rows += batchSize;
        }
        return rows / ((System.nanoTime() - start) / 1e9);
    }
}
