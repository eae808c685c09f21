package io.mqttintegration.runtime.mqtt;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connected MQTT 5 clients for publishing, one per integration, made on first use and dropped when
 * the integration changes. Connections go to the address {@link BrokerTargets} checked (plain,
 * WebSocket, TLS); passwords are set on the connection options, never put in a URI.
 */
public final class BrokerClients implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerClients.class);

    /** What a connection needs to know of an integration. */
    public record Target(String protocol, String host, int port, String path, String clientId, String username,
            String password, int keepAliveSeconds, Tls tls) {

        /** Without TLS settings: the JVM's trust store, no client certificate, the name checked. */
        public Target {
            tls = tls == null ? Tls.NONE : tls;
        }

        boolean secure() {
            return protocol.equals("mqtts") || protocol.equals("wss");
        }
    }

    /** An integration's TLS settings (PEM), and whether the broker's name is checked. */
    public record Tls(String caCertPem, String clientCertPem, String clientKeyPem, boolean verifyHostname) {

        public static final Tls NONE = new Tls(null, null, null, true);
    }

    private final BrokerTargets targets;
    private final int connectTimeoutSeconds;
    private final Map<UUID, MqttClient> clients = new ConcurrentHashMap<>();

    public BrokerClients(BrokerTargets targets, int connectTimeoutSeconds) {
        this.targets = targets;
        this.connectTimeoutSeconds = connectTimeoutSeconds;
    }

    public MqttClient client(UUID integrationId, Target target) {
        MqttClient existing = clients.get(integrationId);
        if (existing != null && existing.isConnected()) {
            return existing;
        }
        synchronized (this) {
            existing = clients.get(integrationId);
            if (existing != null && existing.isConnected()) {
                return existing;
            }
            MqttClient client = connect(target);
            clients.put(integrationId, client);
            if (existing != null) {
                closeQuietly(existing);
            }
            return client;
        }
    }

    private MqttClient connect(Target t) {
        InetAddress address = targets.resolve(t.host(), t.port());
        String url = url(address, t);
        MqttConnectionOptions options = options(t, address, connectTimeoutSeconds);
        try {
            MqttClient client = new MqttClient(url, t.clientId(), new MemoryPersistence());
            client.setTimeToWait(connectTimeoutSeconds * 1000L);
            client.connect(options);
            return client;
        } catch (MqttException e) {
            throw classify(e, true);
        }
    }

    /**
     * The URL Paho connects to, for an address {@link BrokerTargets#resolve} checked. Plain and
     * WebSocket connections name the address itself. TLS ones name the host (Paho sends it as SNI and
     * checks the certificate against it), and {@link #options} gives them a socket factory that
     * connects to the checked address whatever that name resolves to later: there is no second lookup.
     */
    public static String url(InetAddress address, Target t) {
        String literal = address.getHostAddress();
        String host = t.secure() ? t.host() : literal.contains(":") ? "[" + literal + "]" : literal;
        String scheme = switch (t.protocol()) {
            case "mqtts" -> "ssl://";
            case "ws" -> "ws://";
            case "wss" -> "wss://";
            default -> "tcp://";
        };
        return scheme + host + ":" + t.port() + (t.protocol().startsWith("ws") ? t.path() : "");
    }

    /**
     * Connection options: clean session, credentials (never in a URI), and for TLS a socket factory
     * pinned to the checked address.
     */
    public static MqttConnectionOptions options(Target t, InetAddress address, int timeoutSeconds) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setSessionExpiryInterval(0L);
        options.setConnectionTimeout(timeoutSeconds);
        options.setKeepAliveInterval(t.keepAliveSeconds());
        options.setAutomaticReconnect(false);
        if (t.username() != null) {
            options.setUserName(t.username());
        }
        if (t.password() != null) {
            options.setPassword(t.password().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (t.secure()) {
            Tls tls = t.tls();
            options.setSocketFactory(new PinnedSslSocketFactory(TlsContexts.create(tls.caCertPem(), tls.clientCertPem(),
                    tls.clientKeyPem()).getSocketFactory(), address, t.host(), t.port()));
            options.setHttpsHostnameVerificationEnabled(tls.verifyHostname());
        } else {
            options.setSocketFactory(new ReadBufferedSocketFactory());
        }
        return options;
    }

    /**
     * Paho's failure, as a classified error a client may see (never a stack trace). At connect, "not
     * authorized" (135) is how Mosquitto answers a wrong password, so it counts as auth there.
     */
    public static BrokerException classify(MqttException e, boolean connecting) {
        int code = e.getReasonCode();
        if (code == 134 || code == 4 || (connecting && code == 135)) {
            return new BrokerException("auth", "the broker refused the credentials (reason code " + code + ")");
        }
        if (code == 135 || code == 5) {
            return new BrokerException("not_authorized", "the broker says the client is not authorized (reason code " + code + ")");
        }
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof SSLException) {
                return new BrokerException("tls", "the TLS handshake failed: " + c.getMessage());
            }
            if (c instanceof SocketTimeoutException) {
                return new BrokerException("timeout", "the broker did not answer in time");
            }
            if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
                return new BrokerException("refused", BrokerTargets.REFUSED);
            }
            if (c instanceof IOException) {
                return new BrokerException("refused", "the connection to the broker failed: " + c.getClass().getSimpleName());
            }
        }
        if (code == MqttClientException.REASON_CODE_CLIENT_TIMEOUT) {
            return new BrokerException("timeout", "the broker did not answer in time");
        }
        if (code == MqttClientException.REASON_CODE_SERVER_CONNECT_ERROR || code == MqttClientException.REASON_CODE_CONNECTION_LOST) {
            return new BrokerException("refused", BrokerTargets.REFUSED);
        }
        return new BrokerException("protocol", "the broker answered with reason code " + code);
    }

    /** Drops an integration's client (its settings changed, or it was deleted). */
    public void invalidate(UUID integrationId) {
        MqttClient client = clients.remove(integrationId);
        if (client != null) {
            closeQuietly(client);
        }
    }

    private static void closeQuietly(MqttClient client) {
        try {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        } catch (MqttException e) {
            LOG.debug("closing an MQTT client: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        clients.values().forEach(BrokerClients::closeQuietly);
        clients.clear();
    }
}
