package io.mqttintegration.devdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker of the tests, through the kafka-clients our code uses (camel-kafka's 3.9.1): records sent with
 * acks=all come back complete and in order per partition, after a graceful restart and after a SIGKILL.
 */
class KafkaBrokerTest {

    private static final int RECORDS = 1_000;

    @BeforeAll
    static void clientsAreCamelKafkas() {
        assertEquals("3.9.1", AppInfoParser.getVersion(),
                "the tests must speak to the broker with the kafka-clients camel-kafka 4.14.0 brings");
    }

    @Test
    void returnsEveryRecordInOrderPerPartition(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dir)) {
            System.out.println("KafkaBroker: first start (after formatting its storage) took " + broker.lastStartMillis() + " ms");
            broker.createTopic("readings", 3);
            send(broker, "readings", 0, RECORDS);
            assertInOrderPerPartition(consumeAll(broker, "readings", RECORDS), RECORDS, broker);
        }
    }

    @Test
    void createsATopicOnFirstSendAsKafkaDoesByDefault(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dir)) {
            send(broker, "not-created-before", 0, 10);
            assertInOrderPerPartition(consumeAll(broker, "not-created-before", 10), 10, broker);
        }
    }

    @Test
    void keepsRecordsAcrossARestart(@TempDir Path dir) throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(dir)) {
            broker.createTopic("readings", 3);
            send(broker, "readings", 0, RECORDS);
            broker.restart();
            System.out.println("KafkaBroker: restart on its data took " + broker.lastStartMillis() + " ms");
            assertInOrderPerPartition(consumeAll(broker, "readings", RECORDS), RECORDS, broker);
        }
    }

    @Test
    void recoversAfterSigkillWhenStartedAgainOnItsFolder(@TempDir Path dir) throws Exception {
        KafkaBroker killed = KafkaBroker.start(dir);
        String bootstrap = killed.bootstrapServers();
        try {
            killed.createTopic("readings", 3);
            send(killed, "readings", 0, RECORDS);
        } finally {
            killed.kill();
        }
        try (KafkaBroker broker = KafkaBroker.start(dir)) {
            System.out.println("KafkaBroker: start after SIGKILL (log recovery, the dead broker's session timing out) took " + broker.lastStartMillis() + " ms");
            assertEquals(bootstrap, broker.bootstrapServers(), "started again on its folder, the broker keeps its ports");
            send(broker, "readings", RECORDS, RECORDS + 100);
            assertInOrderPerPartition(consumeAll(broker, "readings", RECORDS + 100), RECORDS + 100, broker);
        }
    }

    /** Sends values from..to-1 (keys spread them over the partitions) with acks=all; waits for every ack. */
    private static void send(KafkaBroker broker, String topic, int from, int to) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = from; i < to; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, "device-" + (i % 10), Integer.toString(i))));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        }
    }

    /** Reads the topic from the start, as a new consumer group, until it has {@code expected} records (bounded). */
    private static List<ConsumerRecord<String, String>> consumeAll(KafkaBroker broker, String topic, int expected) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    /** Every value 0..count-1 exactly once; within each partition, values and offsets in the order they were sent. */
    private static void assertInOrderPerPartition(List<ConsumerRecord<String, String>> records, int count, KafkaBroker broker)
            throws Exception {
        String brokerLog = broker.log();
        String log = "\nthe broker's log ends with:\n" + brokerLog.substring(Math.max(0, brokerLog.length() - 4_000));
        assertEquals(count, records.size(), "every record sent with acks=all is read back" + log);
        assertEquals(IntStream.range(0, count).boxed().collect(Collectors.toSet()),
                records.stream().map(r -> Integer.parseInt(r.value())).collect(Collectors.toSet()),
                "each value exactly once");
        Map<Integer, List<ConsumerRecord<String, String>>> byPartition = new TreeMap<>(
                records.stream().collect(Collectors.groupingBy(ConsumerRecord::partition)));
        for (Map.Entry<Integer, List<ConsumerRecord<String, String>>> partition : byPartition.entrySet()) {
            List<ConsumerRecord<String, String>> in = partition.getValue();
            for (int i = 1; i < in.size(); i++) {
                assertTrue(in.get(i).offset() > in.get(i - 1).offset()
                                && Integer.parseInt(in.get(i).value()) > Integer.parseInt(in.get(i - 1).value()),
                        "partition " + partition.getKey() + " keeps the order records were sent in, at offset " + in.get(i).offset());
            }
        }
    }
}
