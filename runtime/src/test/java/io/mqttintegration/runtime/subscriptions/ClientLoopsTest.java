package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.MosquittoBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClientLoops} against a real Paho client and Mosquitto: it sees the client's callback loop
 * start with a connection and end after the disconnect. Fails when Paho (after an upgrade) no
 * longer runs {@code CommsCallback} through the executor it was given, which the supervisor's wait
 * before each connect relies on.
 */
class ClientLoopsTest {

    @TempDir
    Path work;

    @Test
    void seesTheCallbackLoopOfEachConnectionStartAndEnd() throws Exception {
        MosquittoBroker broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (ClientThreads threads = new ClientThreads(scheduler, 2)) {
            ClientLoops loops = new ClientLoops(threads);
            MqttClient client = new MqttClient("tcp://127.0.0.1:" + broker.port(), "loops-test", new MemoryPersistence(), loops);
            assertTrue(loops.callbackEnded(), "nothing runs before the first connect");
            for (int round = 0; round < 2; round++) {
                MqttConnectionOptions options = new MqttConnectionOptions();
                options.setCleanStart(false);
                client.connect(options);
                assertFalse(loops.callbackEnded(), "connected (round " + round + "): its callback loop runs");
                client.disconnect();
                SubscriptionTest.await("the callback loop ended after the disconnect (round " + round + ")", Duration.ofSeconds(10),
                        loops::callbackEnded);
            }
            client.close();
        } finally {
            scheduler.shutdownNow();
            broker.close();
        }
    }
}
