package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.MosquittoBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message committed after its connection was lost (here: another client took the session over),
 * against a real Mosquitto. Its acknowledgement must not reach Paho while disconnected: Paho 1.2.5
 * queues it, and the next connect then hangs for ever with its TCP connection open and no CONNECT
 * sent (the 95 s hang of 7e953aa). With {@link SubscriptionClient} the reconnect completes, the
 * broker sends the message again, and it is acknowledged there without being handed on twice.
 */
class LateAcknowledgementTest {

    @TempDir
    Path work;

    @Test
    void aMessageCommittedAfterItsConnectionWentIsAcknowledgedOnTheNextOneWhichConnects() throws Exception {
        MosquittoBroker broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        String uri = "tcp://127.0.0.1:" + broker.port();
        try (ClientThreads threads = new ClientThreads(scheduler, 2)) {
            AtomicInteger lost = new AtomicInteger();
            SubscriptionClient client = new SubscriptionClient(uri, "late-ack", "subscription-late", List.of("t/#"), null,
                    new SubscriptionStatus(List.of("t/#"), 1), Runnable::run, () -> { }, lost::incrementAndGet,
                    new ClientLoops(threads), SessionFilters.NONE);
            BlockingQueue<Integer> handedOn = new LinkedBlockingQueue<>();
            client.setCallback(new RecordingCallback(handedOn));
            client.setManualAcks(true);
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(false);
            options.setSessionExpiryInterval(300L);
            connect(client, options);
            client.subscribeAll(false);

            MqttClient publisher = new MqttClient(uri, "late-ack-pub", new MemoryPersistence());
            publisher.connect();
            publisher.publish("t/1", new MqttMessage("x".getBytes(), 1, false, new MqttProperties()));
            Integer id = handedOn.poll(10, TimeUnit.SECONDS);
            assertNotNull(id, "the message is handed on");

            MqttClient takeover = new MqttClient(uri, "late-ack", new MemoryPersistence());
            MqttConnectionOptions t = new MqttConnectionOptions();
            t.setCleanStart(false);
            t.setSessionExpiryInterval(300L);
            takeover.connect(t);
            SubscriptionTest.await("the connection is lost to the takeover", Duration.ofSeconds(10), () -> lost.get() == 1);
            takeover.disconnect();
            takeover.close();

            client.messageArrivedComplete(id, 1); // its commit completes now, with no connection
            assertEquals(1, client.window().awaitingResend(), "kept to be acknowledged when the broker sends it again");

            connect(client, options); // hangs for ever, TCP open and no CONNECT sent, if Paho queued that PUBACK
            SubscriptionTest.await("the resend acknowledged on the new connection", Duration.ofSeconds(10),
                    () -> client.window().awaitingResend() == 0);
            assertTrue(handedOn.isEmpty(), "not handed on a second time: " + handedOn);
            assertFalse(broker.log().isEmpty());
            publisher.disconnect();
            publisher.close();
            client.closeQuietly();
        } finally {
            scheduler.shutdownNow();
            broker.close();
        }
    }

    private static void connect(SubscriptionClient client, MqttConnectionOptions options) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        client.connectAsync(options, present -> done.complete(null), done::completeExceptionally);
        done.get(10, TimeUnit.SECONDS);
    }

    /** The route's consumer, as far as this test needs it: records the packet ids handed on. */
    private record RecordingCallback(BlockingQueue<Integer> handedOn) implements MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            handedOn.add(message.getId());
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
