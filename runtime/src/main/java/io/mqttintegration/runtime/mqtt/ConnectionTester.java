package io.mqttintegration.runtime.mqtt;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
 * A real round trip to a broker, step by step: resolve (with the SSRF guard; every connection then
 * goes to the checked address), open TCP, connect with the integration's credentials, subscribe to a
 * private probe topic, publish a probe, receive it, disconnect. Each step is timed; the first that fails ends the test with a classified error.
 */
public final class ConnectionTester {

    /** One step: dns, tcp, tls, connect, subscribe, publish, receive. */
    public record Step(String step, boolean ok, long ms, String detail) {
        Map<String, Object> view() {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("step", step);
            v.put("ok", ok);
            v.put("ms", ms);
            if (detail != null) {
                v.put("detail", detail);
            }
            return v;
        }
    }

    private final BrokerTargets targets;
    private final int timeoutSeconds;

    public ConnectionTester(BrokerTargets targets, int timeoutSeconds) {
        this.targets = targets;
        this.timeoutSeconds = timeoutSeconds;
    }

    public Map<String, Object> test(BrokerClients.Target t) {
        long start = System.nanoTime();
        List<Step> steps = new ArrayList<>();
        String error = null;
        MqttClient client = null;
        try {
            // A target the guard refuses fails the tcp step exactly as a refused connection does (same
            // step, same detail), and the dns step never shows an address: the answer tells nothing
            // about the service's network or its DNS view.
            BrokerException[] refusal = {null};
            InetAddress address = step(steps, "dns", () -> {
                try {
                    return targets.resolve(t.host(), t.port());
                } catch (BrokerException e) {
                    if (!e.kind().equals("refused")) {
                        throw e;
                    }
                    refusal[0] = e;
                    return null;
                }
            }, a -> null);
            step(steps, "tcp", () -> {
                if (refusal[0] != null) {
                    throw refusal[0];
                }
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(address, t.port()), timeoutSeconds * 1000);
                    return null;
                } catch (SocketTimeoutException e) {
                    throw new BrokerException("timeout", "no TCP answer within " + timeoutSeconds + " s");
                } catch (IOException e) {
                    throw new BrokerException("refused", BrokerTargets.REFUSED);
                }
            }, x -> t.port() + "");
            if (t.secure()) {
                step(steps, "tls", () -> handshake(address, t), x -> null);
            }
            String url = BrokerClients.url(address, t);
            MqttClient c = new MqttClient(url, t.clientId(), new MemoryPersistence());
            client = c;
            c.setTimeToWait(timeoutSeconds * 1000L);
            CompletableFuture<byte[]> received = new CompletableFuture<>();
            c.setCallback(new Probe(received));
            step(steps, "connect", () -> {
                MqttConnectionOptions options = BrokerClients.options(t, address, timeoutSeconds);
                try {
                    c.connect(options);
                } catch (MqttException e) {
                    throw BrokerClients.classify(e, true);
                }
                return null;
            }, x -> null);
            String probeTopic = "mqi/probe/" + UUID.randomUUID();
            byte[] probe = UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8);
            step(steps, "subscribe", () -> {
                try {
                    IMqttToken token = c.subscribe(probeTopic, 1);
                    int[] codes = token.getReasonCodes();
                    if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                        throw new BrokerException("not_authorized", "the broker refused the subscription (reason code " + codes[0] + ")");
                    }
                } catch (MqttException e) {
                    throw BrokerClients.classify(e, false);
                }
                return null;
            }, x -> probeTopic);
            step(steps, "publish", () -> {
                try {
                    MqttMessage m = new MqttMessage(probe);
                    m.setQos(1);
                    m.setProperties(new MqttProperties());
                    c.publish(probeTopic, m);
                } catch (MqttException e) {
                    throw BrokerClients.classify(e, false);
                }
                return null;
            }, x -> null);
            step(steps, "receive", () -> {
                try {
                    byte[] got = received.get(timeoutSeconds, TimeUnit.SECONDS);
                    if (!java.util.Arrays.equals(got, probe)) {
                        throw new BrokerException("protocol", "the probe came back altered");
                    }
                    return null;
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new BrokerException("timeout", "the probe did not come back within " + timeoutSeconds + " s");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BrokerException("timeout", "interrupted");
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new BrokerException("protocol", "the connection was lost while waiting for the probe");
                }
            }, x -> null);
        } catch (BrokerException e) {
            error = e.kind();
        } catch (MqttException e) {
            error = BrokerClients.classify(e, true).kind();
            steps.add(new Step("connect", false, 0, "the client could not be created"));
        } finally {
            if (client != null) {
                try {
                    if (client.isConnected()) {
                        client.disconnect();
                    }
                    client.close();
                } catch (MqttException e) {
                    // the test's outcome stands; the connection is dropped anyway
                }
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("ok", error == null);
        report.put("steps", steps.stream().map(Step::view).toList());
        report.put("latencyMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        if (error != null) {
            report.put("error", error);
        }
        return report;
    }

    /** A TLS handshake with the checked address, SNI and (when asked) the certificate's name checked. */
    private Void handshake(InetAddress address, BrokerClients.Target t) {
        BrokerClients.Tls tls = t.tls();
        javax.net.ssl.SSLSocketFactory factory = TlsContexts.create(tls.caCertPem(), tls.clientCertPem(), tls.clientKeyPem())
                .getSocketFactory();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, t.port()), timeoutSeconds * 1000);
            plain.setSoTimeout(timeoutSeconds * 1000);
            try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) factory.createSocket(plain, t.host(), t.port(), true)) {
                javax.net.ssl.SSLParameters params = socket.getSSLParameters();
                params.setServerNames(List.of(new javax.net.ssl.SNIHostName(t.host())));
                if (tls.verifyHostname()) {
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                }
                socket.setSSLParameters(params);
                socket.startHandshake();
            }
            return null;
        } catch (javax.net.ssl.SSLException e) {
            throw new BrokerException("tls", "the TLS handshake failed: " + e.getMessage());
        } catch (SocketTimeoutException e) {
            throw new BrokerException("timeout", "no TLS answer within " + timeoutSeconds + " s");
        } catch (IOException e) {
            throw new BrokerException("refused", BrokerTargets.REFUSED);
        }
    }

    private interface Work<T> {
        T run() throws BrokerException;
    }

    private static <T> T step(List<Step> steps, String name, Work<T> work, java.util.function.Function<T, String> detail) {
        long start = System.nanoTime();
        try {
            T result = work.run();
            steps.add(new Step(name, true, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), detail.apply(result)));
            return result;
        } catch (BrokerException e) {
            steps.add(new Step(name, false, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), e.getMessage()));
            throw e;
        }
    }

    /** Completes with the first message that arrives (the probe: the topic is private to this test). */
    private record Probe(CompletableFuture<byte[]> received) implements MqttCallback {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received.complete(message.getPayload());
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            received.completeExceptionally(new IOException("disconnected"));
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
