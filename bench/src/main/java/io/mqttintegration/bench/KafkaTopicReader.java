package io.mqttintegration.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A plain Kafka consumer in the bench JVM, on a thread of its own, reading every partition of the
 * sinks' topics from their beginning (assigned, no consumer group) with the client's defaults: each
 * record is a delivery, its lag from the CloudEvents envelope's {@code time} (when the service received
 * the message: the Kafka sink's records carry no receive-time header) to the poll that returned it. It
 * keeps the first records it reads (key, value, headers) for the bare producer to send again.
 */
final class KafkaTopicReader implements AutoCloseable {

    private static final byte[] TIME = "\"time\":\"".getBytes(StandardCharsets.US_ASCII);

    final Deliveries deliveries = new Deliveries();
    final List<ConsumerRecord<String, byte[]>> sample = Collections.synchronizedList(new ArrayList<>());
    private final int sampleSize;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private volatile Throwable failure;

    KafkaTopicReader(String bootstrapServers, List<String> topics, int sampleSize) {
        this.sampleSize = sampleSize;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-reader");
        consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(60)).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::read, "kafka-reader");
        thread.setDaemon(true);
        thread.start();
    }

    private void read() {
        try {
            while (true) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    deliveries.arrived(receivedAt(r.value()));
                    if (sample.size() < sampleSize) {
                        sample.add(r);
                    }
                }
            }
        } catch (WakeupException closing) {
            // close() asked
        } catch (Throwable e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(10));
        }
    }

    /** The envelope's "time" (it comes before "data", the only other object that could hold the key). */
    static Instant receivedAt(byte[] cloudEvent) {
        int at = indexOf(cloudEvent, TIME);
        if (at < 0) {
            return null;
        }
        int from = at + TIME.length;
        int to = from;
        while (to < cloudEvent.length && cloudEvent[to] != '"') {
            to++;
        }
        return Instant.parse(new String(cloudEvent, from, to - from, StandardCharsets.US_ASCII));
    }

    private static int indexOf(byte[] in, byte[] what) {
        outer:
        for (int i = 0; i <= in.length - what.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (in[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Throws what stopped the reading thread, if anything did. */
    void check() {
        if (failure != null) {
            throw new IllegalStateException("the Kafka reader stopped", failure);
        }
    }

    @Override
    public void close() throws InterruptedException {
        consumer.wakeup();
        thread.join(15_000);
    }
}
