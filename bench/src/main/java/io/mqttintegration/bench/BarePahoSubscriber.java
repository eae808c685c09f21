package io.mqttintegration.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The bare subscriber beside the service in {@link AssemblyCatchupBench}, in a JVM of its own: Paho v5, QoS 1, manual
 * acks, each message acknowledged as it arrives (in the callback), Receive Maximum 1000 (the service's). One client per
 * topic: client {@code <clientPrefix>-<i>} on {@code <topic>} with {@code {i}} replaced by i. Modes:
 * <ul>
 * <li>{@code register}: clean start false with a session of an hour, SUBSCRIBE, DISCONNECT (the broker keeps the session
 * and queues for it); prints "registered";</li>
 * <li>{@code receive}: clean start false again (the queued messages come right after CONNACK), until perClient each;</li>
 * <li>{@code live}: clean start, SUBSCRIBE, prints "subscribed", until perClient each.</li>
 * </ul>
 * Then prints {@code done <jvmStartMs> <firstConnectedMs> <lastMessageMs> <received> <distinct>} (epoch ms; "timeout"
 * instead of "done" after maxSeconds, with the time of the last message that came) and exits.
 *
 * <pre>java -cp ... io.mqttintegration.bench.BarePahoSubscriber &lt;mode&gt; &lt;port&gt; &lt;clientPrefix&gt; &lt;topic&gt; &lt;clients&gt; &lt;perClient&gt; &lt;maxSeconds&gt;</pre>
 */
public final class BarePahoSubscriber {

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String url = "tcp://127.0.0.1:" + args[1];
        String clientPrefix = args[2];
        String topic = args[3];
        int clients = Integer.parseInt(args[4]);
        long perClient = Long.parseLong(args[5]);
        int maxSeconds = Integer.parseInt(args[6]);
        long expected = clients * perClient;
        AtomicLong received = new AtomicLong();
        AtomicLong firstConnected = new AtomicLong();
        AtomicLong last = new AtomicLong();
        Set<String> distinct = ConcurrentHashMap.newKeySet();
        Object done = new Object();
        List<MqttClient> all = new ArrayList<>();
        // Connects in parallel (8 at a time): sequential CONNECTs of 200 clients would measure the driver.
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<MqttClient>> futures = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            String filter = topic.replace("{i}", Integer.toString(i));
            String clientId = clientPrefix + "-" + i;
            futures.add(pool.submit(() -> {
                MqttClient client = new MqttClient(url, clientId, new MemoryPersistence());
                client.setManualAcks(true);
                client.setCallback(new Callback() {
                    @Override
                    public void messageArrived(String t, MqttMessage message) throws MqttException {
                        client.messageArrivedComplete(message.getId(), message.getQos());
                        distinct.add(t + ' ' + new String(message.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                        long now = System.currentTimeMillis();
                        if (received.incrementAndGet() <= expected) {
                            last.set(now); // the last message's time, also when not all come
                        }
                        if (received.get() >= expected) {
                            synchronized (done) {
                                done.notifyAll();
                            }
                        }
                    }
                });
                MqttConnectionOptions options = new MqttConnectionOptions();
                options.setCleanStart(mode.equals("live"));
                options.setSessionExpiryInterval(mode.equals("live") ? 0L : 3600L);
                options.setReceiveMaximum(1000);
                client.connect(options);
                firstConnected.compareAndSet(0, System.currentTimeMillis());
                if (!mode.equals("receive")) {
                    client.subscribe(filter, 1);
                }
                if (mode.equals("register")) {
                    client.disconnect();
                    client.close();
                }
                return client;
            }));
        }
        for (Future<MqttClient> f : futures) {
            all.add(f.get());
        }
        pool.shutdown();
        if (mode.equals("register")) {
            System.out.println("registered");
            System.exit(0);
        }
        if (mode.equals("live")) {
            System.out.println("subscribed");
        }
        System.out.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        synchronized (done) {
            while (received.get() < expected && System.nanoTime() < deadline) {
                done.wait(100);
            }
        }
        System.out.printf("%s %d %d %d %d %d%n", received.get() >= expected ? "done" : "timeout",
                ManagementFactory.getRuntimeMXBean().getStartTime(), firstConnected.get(), last.get(), received.get(), distinct.size());
        System.out.flush();
        // Paho's threads would keep the JVM up; the sessions stay on the broker (nothing to clean).
        System.exit(0);
    }

    /** A callback for which only messageArrived matters (the bare subscribers of the benches). */
    abstract static class Callback implements MqttCallback {
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
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
