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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A plain Kafka consumer in the bench JVM, on a thread of its own, reading every partition of the
 * sinks' topics from their beginning (assigned, no consumer group) with the client's defaults: each
 * record is a delivery, its lag from its {@code mqi-received-at} header (when the service received
 * the message) to the poll that returned it. It keeps the first records it reads (key, value,
 * headers) for the bare producer to send again.
 */
final class KafkaTopicReader implements AutoCloseable {

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
                    deliveries.arrived(receivedAt(r));
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

    /** The record's mqi-received-at header. */
    static Instant receivedAt(ConsumerRecord<String, byte[]> record) {
        Header h = record.headers().lastHeader("mqi-received-at");
        return h == null ? null : Instant.parse(new String(h.value(), StandardCharsets.US_ASCII));
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
