package io.mqttintegration.runtime.internals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.runtime.MessageCallback;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReceivedDupFlags} against a real Paho client and Mosquitto: a QoS 1 message left
 * unacknowledged comes again on the session's next connection with DUP set (Mosquitto 2.0 does
 * that), and the flags say so; its first delivery was not a duplicate. Fails when Paho (after an
 * upgrade) no longer has the internals it reads.
 */
class ReceivedDupFlagsTest {

    @TempDir
    Path work;

    @Test
    void tellsAMessageSentAgainOnTheNextConnectionFromItsFirstDelivery() throws Exception {
        MosquittoBroker broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of());
        String uri = "tcp://127.0.0.1:" + broker.port();
        MqttAsyncClient client = new MqttAsyncClient(uri, "dup-flags", new MemoryPersistence());
        try {
            ReceivedDupFlags flags = ReceivedDupFlags.install(client);
            assertTrue(flags.installed(), "Paho's internals are as ReceivedDupFlags reads them");
            BlockingQueue<String> delivered = new LinkedBlockingQueue<>();
            client.setCallback(new Recording(flags, delivered));
            client.setManualAcks(true); // never acknowledged: the broker sends it again on the next connection
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(false);
            options.setSessionExpiryInterval(300L);
            client.connect(options).waitForCompletion(10_000);
            client.subscribe("t/#", 1).waitForCompletion(10_000);

            MqttClient publisher = new MqttClient(uri, "dup-flags-pub", new MemoryPersistence());
            publisher.connect();
            publisher.publish("t/1", new MqttMessage("x".getBytes(), 1, false, new MqttProperties()));
            String first = delivered.poll(10, TimeUnit.SECONDS);
            assertNotNull(first, "delivered");
            assertEquals("x dup=false", first);

            client.disconnect().waitForCompletion(10_000);
            client.connect(options).waitForCompletion(10_000);
            String again = delivered.poll(10, TimeUnit.SECONDS);
            assertNotNull(again, "the broker sends it again on the next connection");
            assertEquals("x dup=true", again);
            assertTrue(broker.log().contains("Sending PUBLISH to dup-flags (d1, q1"), "the broker set DUP");

            publisher.disconnect();
            publisher.close();
            client.disconnect().waitForCompletion(10_000);
        } finally {
            client.close(true);
            broker.close();
        }
    }

    private record Recording(ReceivedDupFlags flags, BlockingQueue<String> delivered) implements MessageCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            delivered.add(new String(message.getPayload()) + " dup=" + flags.take(message.getId()));
        }
    }
}
