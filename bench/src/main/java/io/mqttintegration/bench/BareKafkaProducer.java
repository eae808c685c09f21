package io.mqttintegration.bench;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The limit beside the Kafka sink: a bare producer in the bench JVM, configured as the sink's is
 * ({@code acks=all}, idempotence on, string keys, byte values, the client's defaults otherwise), sending
 * copies of records the sinks wrote (the same keys, values and headers, so the same size and the same
 * spread over devices and partitions) as fast as the client takes them, from one thread, for a given
 * time. Its figure: records acknowledged per second, from the first send to the last acknowledgement.
 */
final class BareKafkaProducer {

    /** Records acknowledged, failed sends, and the seconds from the first send to the last acknowledgement. */
    record Result(long acknowledged, long failed, double seconds, double meanValueBytes) {
        double perSecond() {
            return acknowledged / seconds;
        }
    }

    private BareKafkaProducer() {
    }

    static Result run(String bootstrapServers, String topic, List<ConsumerRecord<String, byte[]>> sample, int seconds) {
        if (sample.isEmpty()) {
            throw new IllegalArgumentException("no record to send again: the Kafka sinks wrote none");
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        AtomicLong acknowledged = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long valueBytes = sample.stream().mapToLong(r -> r.value().length).sum();
        long start;
        long last;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.partitionsFor(topic); // metadata first: not part of the timed sends
            start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            for (int i = 0; System.nanoTime() < end; i++) {
                ConsumerRecord<String, byte[]> r = sample.get(i % sample.size());
                producer.send(new ProducerRecord<>(topic, null, r.key(), r.value(), r.headers()), (metadata, e) -> {
                    (e == null ? acknowledged : failed).incrementAndGet();
                });
            }
            producer.flush();
            last = System.nanoTime();
        }
        return new Result(acknowledged.get(), failed.get(), (last - start) / 1e9, (double) valueBytes / sample.size());
    }
}
