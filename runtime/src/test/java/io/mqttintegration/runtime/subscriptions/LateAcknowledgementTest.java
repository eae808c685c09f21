package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TcpProxy;
import io.mqttintegration.runtime.MessageCallback;
import java.nio.file.Files;
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
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
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

    /**
     * The PUBACK of a committed message went out and never reached the broker (here the proxy loses
     * it; in SubscriptionNetworkFaultTest the broker was stopped before it read it): the broker sends
     * the message again on the next connection, with DUP set and the same packet id (MQTT 5, 4.4 and
     * 3.3.1.1). It is acknowledged there and not handed on a second time. The window recognizes it
     * by its packet id, content and DUP flag: without the flag (Paho 1.2.5 loses it on the way to
     * the callback, see ReceivedDupFlags) it was stored twice.
     */
    @Test
    void aMessageWhosePubackWasLostIsAcknowledgedWhenTheBrokerSendsItAgainAndNotHandedOnTwice() throws Exception {
        MosquittoBroker broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (TcpProxy proxy = new TcpProxy(broker.port()); ClientThreads threads = new ClientThreads(scheduler, 2)) {
            proxy.trace(work.resolve("wire.log"));
            AtomicInteger lost = new AtomicInteger();
            SubscriptionClient client = new SubscriptionClient("tcp://127.0.0.1:" + proxy.port(), "lost-ack", "subscription-lost",
                    List.of("t/#"), null, new SubscriptionStatus(List.of("t/#"), 1), Runnable::run, () -> { },
                    lost::incrementAndGet, new ClientLoops(threads), SessionFilters.NONE);
            BlockingQueue<Integer> handedOn = new LinkedBlockingQueue<>();
            client.setCallback(new RecordingCallback(handedOn));
            client.setManualAcks(true);
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(false);
            options.setSessionExpiryInterval(300L);
            connect(client, options);
            client.subscribeAll(false);
            broker.subscribed("t/#");

            MqttClient publisher = new MqttClient("tcp://127.0.0.1:" + broker.port(), "lost-ack-pub", new MemoryPersistence());
            publisher.connect();
            publisher.publish("t/1", new MqttMessage("x".getBytes(), 1, false, new MqttProperties()));
            Integer id = handedOn.poll(10, TimeUnit.SECONDS);
            assertNotNull(id, "the message is handed on");

            proxy.loseWhatClientsSend();
            client.messageArrivedComplete(id, 1); // committed: its PUBACK goes out, and is lost
            assertEquals(0, client.window().awaitingResend(), "acknowledged, as far as the client can tell");
            proxy.cut();
            SubscriptionTest.await("the connection is lost to the cut", Duration.ofSeconds(10), () -> lost.get() == 1);
            assertFalse(broker.log().contains("Received PUBACK from lost-ack (Mid: " + id + ","), "the broker never had the PUBACK");
            proxy.restore();

            connect(client, options);
            SubscriptionTest.await("the broker's second copy acknowledged on the new connection", Duration.ofSeconds(10),
                    () -> "handed on again: " + handedOn + "; " + Files.readString(work.resolve("wire.log")),
                    () -> broker.log().contains("Received PUBACK from lost-ack (Mid: " + id + ","));
            assertTrue(broker.log().contains("Sending PUBLISH to lost-ack (d1, q1, r0, m" + id + ","),
                    "the broker sent it again with DUP set and its packet id");
            assertTrue(handedOn.isEmpty(), "not handed on a second time: " + handedOn);
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
    private record RecordingCallback(BlockingQueue<Integer> handedOn) implements MessageCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            handedOn.add(message.getId());
        }
    }
}
