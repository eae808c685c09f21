package io.mqttintegration.broker;

import io.mqttintegration.spi.broker.DeviceNamespace;
import io.mqttintegration.spi.broker.DisconnectReason;
import io.mqttintegration.spi.broker.HostedService;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.activemq.artemis.api.core.ActiveMQSecurityException;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.TransportConfiguration;
import org.apache.activemq.artemis.core.config.ClusterConnectionConfiguration;
import org.apache.activemq.artemis.core.config.CoreAddressConfiguration;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.protocol.mqtt.MQTTProtocolManagerFactory;
import org.apache.activemq.artemis.core.remoting.impl.invm.InVMAcceptorFactory;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyAcceptorFactory;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyConnectorFactory;
import org.apache.activemq.artemis.core.remoting.impl.netty.TransportConstants;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.JournalType;
import org.apache.activemq.artemis.core.server.cluster.impl.MessageLoadBalancingType;
import org.apache.activemq.artemis.core.server.impl.ActiveMQServerImpl;
import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.apache.activemq.artemis.spi.core.remoting.Acceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hosted MQTT broker: an Artemis server this bundle starts with a configuration made here,
 * so it opens only the acceptors named below: MQTT on {@code broker.host:broker.port}, MQTT over TLS
 * on {@code broker.tls.port} when a key store is set, and the in-VM acceptor the service's own
 * consumer uses (no port). Messages are persistent (the journal in {@code broker.journalDir}); a
 * device's QoS 1 PUBLISH is acknowledged once it is in the journal. Every message published under
 * {@code devices/} is also routed to the durable queue {@value #INGEST_QUEUE} (bound to the
 * wildcard address {@code devices.#}), which {@link HostedIngest} empties into the pipeline.
 * <p>
 * With {@code broker.cluster.peers}, the broker is one node of an Artemis cluster: a core-only
 * acceptor on {@code broker.cluster.host:broker.cluster.port} that only the cluster user may use, and
 * a cluster connection with static connectors to the peers. Only the devices' addresses are
 * clustered ({@value #CLUSTER_ADDRESSES}): a device's subscription queue is known to every node, so a
 * message published on any node reaches it (ON_DEMAND: a node forwards only to queues with a consumer
 * or to the only queue of that name), and the messages of a queue left without consumer move to the
 * node where a queue of the same name has one (redistribution, at once). The ingest queue's own
 * address {@code devices.#} is left out: each node's ingest queue takes only what devices published
 * to that node, so every message is stored once, by the node that acknowledged it to the device.
 * Retained messages and MQTT session state ({@code $sys.mqtt.*}) stay on their node.
 */
public final class HostedBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostedBroker.class);
    /** The queue every device message is copied to, read by the service itself. */
    public static final String INGEST_QUEUE = "mqi.hosted.ingest";
    static final String INGEST_ADDRESS = DeviceNamespace.ROOT + ".#";
    /** Artemis' MQTT session store (MQTTUtil.MQTT_SESSION_STORE), kept empty (see {@link #configuration}). */
    public static final String SESSION_STORE = "$sys.mqtt.sessions";
    /** Every session record has its client id in this property (Message.HDR_LAST_VALUE_NAME): none passes. */
    static final String SESSION_STORE_FILTER = "_AMQ_LVQ_NAME IS NULL";

    /** Not a valid device username (it has a dot), so no device can be it. */
    public static final String INTERNAL_USER = "mqi.internal";
    /** The addresses the cluster connection spans: the devices', except the ingest queue's own (see above). */
    static final String CLUSTER_ADDRESSES = DeviceNamespace.ROOT + ",!" + INGEST_ADDRESS;
    static final String CLUSTER_CONNECTION = "mqi-devices";
    /** Artemis' built-in cluster user, valid with its default password unless one is set (it always is here). */
    static final String ARTEMIS_DEFAULT_CLUSTER_USER = "ACTIVEMQ.CLUSTER.ADMIN.USER";
    /** In-VM acceptor ids are global to the JVM: each broker of this JVM (tests run two) gets its own. */
    private static final AtomicInteger IN_VM_IDS = new AtomicInteger(7_316);

    private final BrokerConfig config;
    private final HostedService devices;
    private final ConnectedDevices connected;
    private final String internalPassword;
    private final int inVmId = IN_VM_IDS.getAndIncrement();
    private ActiveMQServer server;
    private ScheduledExecutorService revocations;

    /** @param connected the connected devices and their organizations' limits, applied to this broker */
    public HostedBroker(BrokerConfig config, HostedService devices, ConnectedDevices connected) {
        this.config = config;
        this.devices = devices;
        this.connected = connected;
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        this.internalPassword = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    public void start() throws Exception {
        ActiveMQServerImpl made = new ActiveMQServerImpl(configuration(),
                new DeviceSecurityManager(devices, connected, INTERNAL_USER, internalPassword));
        // Inside an OSGi bundle Artemis' ServiceLoader may not see the protocol: named here.
        made.addProtocolManagerFactory(new MQTTProtocolManagerFactory());
        // Instances (they share the connected devices), in place before any acceptor opens.
        made.getServiceRegistry().addIncomingInterceptor(new DeviceGuard(connected,
                Set.of(INTERNAL_USER, config.cluster().user(), ARTEMIS_DEFAULT_CLUSTER_USER)));
        made.getServiceRegistry().addOutgoingInterceptor(new DeviceReplies(connected));
        made.registerBrokerPlugin(new DeviceLimitsPlugin(connected));
        server = made;
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(HostedBroker.class.getClassLoader());
        try {
            server.start();
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
        if (!server.waitForActivation(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the hosted broker did not become active within 30 s");
        }
        for (String name : List.of("mqtt", "mqtt-tls", "cluster")) {
            Acceptor acceptor = server.getRemotingService().getAcceptor(name);
            if (acceptor != null && !acceptor.isStarted()) {
                throw new IllegalStateException("the hosted broker could not listen (acceptor " + name + ", port in use?): "
                        + switch (name) {
                            case "mqtt" -> config.host() + ":" + config.port();
                            case "mqtt-tls" -> config.host() + ":" + config.tlsPort();
                            default -> config.cluster().host() + ":" + config.cluster().port();
                        });
            }
        }
        LOG.info("Hosted MQTT broker listening on {}:{}{} (journal {})", config.host(), config.port(),
                config.tlsKeyStore() == null ? "" : ", TLS on " + config.host() + ":" + config.tlsPort(), config.journalDir());
        if (config.cluster().on()) {
            LOG.info("Hosted MQTT broker clustered: cluster acceptor on {}:{}{}, peers {}", config.cluster().host(),
                    config.cluster().port(), config.cluster().trustStore() == null ? "" : " (TLS)", config.cluster().peers());
        }
    }

    /**
     * Every {@code broker.revocationCheckSeconds}, the connected devices whose credentials were revoked
     * (through any node) lose their connection; they are refused at their next CONNECT.
     */
    public void closeRevokedSessions(Function<Set<String>, Set<String>> revokedAmong) {
        if (config.revocationCheckSeconds() == 0) {
            return;
        }
        revocations = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "mqtt-integration-broker-revocations"));
        revocations.scheduleWithFixedDelay(() -> {
            try {
                closeRevoked(revokedAmong);
            } catch (RuntimeException e) {
                LOG.warn("Could not check the connected devices for revoked credentials: {}", e.getMessage());
            }
        }, config.revocationCheckSeconds(), config.revocationCheckSeconds(), TimeUnit.SECONDS);
    }

    /** Closes the connections of the devices whose usernames {@code revokedAmong} names; returns how many. */
    int closeRevoked(Function<Set<String>, Set<String>> revokedAmong) {
        Map<String, List<RemotingConnection>> byUser = new HashMap<>();
        for (RemotingConnection c : server.getRemotingService().getConnections()) {
            // "MQTT" or, after an MQTT 5 CONNECT, "MQTT5".
            if (c.getSubject() != null && c.getProtocolName() != null && c.getProtocolName().startsWith("MQTT")) {
                String user = server.getSecurityManager().getUserFromSubject(c.getSubject());
                if (user != null) {
                    byUser.computeIfAbsent(user, u -> new java.util.ArrayList<>()).add(c);
                }
            }
        }
        if (byUser.isEmpty()) {
            return 0;
        }
        int closed = 0;
        for (String user : revokedAmong.apply(byUser.keySet())) {
            for (RemotingConnection c : byUser.getOrDefault(user, List.of())) {
                LOG.info("Closing the session of device {}: its credential was revoked", user);
                connected.ending(c.getID(), DisconnectReason.REVOKED);
                c.fail(new ActiveMQSecurityException("credential revoked"));
                closed++;
            }
        }
        return closed;
    }

    private Configuration configuration() {
        Path dir = config.journalDir();
        Configuration c = new ConfigurationImpl();
        c.setName("mqtt-integration");
        c.setPersistenceEnabled(true);
        c.setJournalType(JournalType.NIO);
        c.setJournalDirectory(dir.resolve("journal").toString());
        c.setBindingsDirectory(dir.resolve("bindings").toString());
        c.setPagingDirectory(dir.resolve("paging").toString());
        c.setLargeMessagesDirectory(dir.resolve("large-messages").toString());
        c.setNodeManagerLockDirectory(dir.toString());
        c.setSecurityEnabled(true);
        // Every CONNECT is checked against the database (one indexed query): a revoked credential is
        // refused at once, not after Artemis' cache expires.
        c.setAuthenticationCacheSize(0);
        // The in-VM consumer files a message under the user the broker authenticated, not a header.
        c.setPopulateValidatedUser(true);
        c.setJMXManagementEnabled(false);
        // Artemis' MQTT CONNECT blocks a server thread until the session's state is in the journal, and
        // the journal's completion runs on that same pool: with the default bound (30), 30 devices
        // connecting at once held every thread and each CONNECT failed after 5 s (AMQ850000, DISCONNECT
        // 131), measured with 100 devices. Unbounded: threads are made under a connect storm and end
        // after 60 s idle.
        c.setThreadPoolMaxSize(-1);
        // MQTT session state in memory only (Artemis' own map), none in its session store. Artemis 2.40
        // writes a record there at every CONNECT with a clean start and every disconnect, subscriptions
        // or not, each waiting for the journal, and removes it with a scan of the whole store under the
        // store's lock: with 10,000 devices connected, each disconnect scanned 10,000 records, and when
        // they all closed at once the broker took minutes to end them (thousands of threads waiting on
        // that lock, /metrics unanswered; a bare Artemis 2.40 88 s). A filter no record matches keeps
        // the store empty: what Artemis 2.42 made a setting (mqtt-subscription-persistence-enabled=false).
        // What it costs: after a restart of the broker a persistent session no longer knows its
        // subscriptions (CONNACK session present 0) and the device subscribes again, as it must anyway
        // when it moves to another node; the messages queued for it are kept (its queues stay durable).
        c.addAddressConfiguration(new CoreAddressConfiguration().setName(SESSION_STORE).addRoutingType(RoutingType.ANYCAST)
                .addQueueConfiguration(QueueConfiguration.of(SESSION_STORE).setAddress(SESSION_STORE).setRoutingType(RoutingType.ANYCAST)
                        .setDurable(false).setLastValue(true).setInternal(true).setFilterString(SESSION_STORE_FILTER)));
        c.setGracefulShutdownEnabled(true);
        c.setGracefulShutdownTimeout(10_000);

        Map<String, Object> plain = new HashMap<>();
        plain.put(TransportConstants.HOST_PROP_NAME, config.host());
        plain.put(TransportConstants.PORT_PROP_NAME, config.port());
        plain.put(TransportConstants.PROTOCOLS_PROP_NAME, "MQTT");
        // NIO: Netty's native transports are not embedded (and epoll would warn at every start).
        plain.put(TransportConstants.USE_EPOLL_PROP_NAME, false);
        plain.put(TransportConstants.USE_KQUEUE_PROP_NAME, false);
        c.addAcceptorConfiguration(new TransportConfiguration(NettyAcceptorFactory.class.getName(), plain, "mqtt"));
        if (config.tlsKeyStore() != null) {
            Map<String, Object> tls = new HashMap<>(plain);
            tls.put(TransportConstants.PORT_PROP_NAME, config.tlsPort());
            tls.put(TransportConstants.SSL_ENABLED_PROP_NAME, true);
            tls.put(TransportConstants.KEYSTORE_PATH_PROP_NAME, config.tlsKeyStore().toString());
            if (config.tlsKeyStorePassword() != null) {
                tls.put(TransportConstants.KEYSTORE_PASSWORD_PROP_NAME, config.tlsKeyStorePassword());
            }
            c.addAcceptorConfiguration(new TransportConfiguration(NettyAcceptorFactory.class.getName(), tls, "mqtt-tls"));
        }
        c.addAcceptorConfiguration(new TransportConfiguration(InVMAcceptorFactory.class.getName(),
                Map.of(org.apache.activemq.artemis.core.remoting.impl.invm.TransportConstants.SERVER_ID_PROP_NAME, inVmId), "in-vm"));
        cluster(c);

        c.addQueueConfiguration(QueueConfiguration.of(INGEST_QUEUE).setAddress(INGEST_ADDRESS)
                .setRoutingType(RoutingType.MULTICAST).setDurable(true));
        // A message the database did not take comes back after 1 s, 2 s, 4 s ... up to 30 s, as often
        // as it takes: never to a dead-letter address (the pipeline keeps its own dead letters).
        c.addAddressSetting(INGEST_ADDRESS, new AddressSettings().setMaxDeliveryAttempts(-1).setRedeliveryDelay(1_000)
                .setRedeliveryMultiplier(2).setMaxRedeliveryDelay(30_000)
                .setAddressFullMessagePolicy(AddressFullMessagePolicy.PAGE)
                // Clustered: what waits in a device's queue on this node moves at once to the node
                // where the device subscribed again (no effect without a cluster, nor on the ingest queue).
                .setRedistributionDelay(0));
        return c;
    }

    /**
     * The cluster user's password is always set: Artemis' default cluster user would otherwise log in
     * with Artemis' published default password, on any acceptor, past every permission check. Without
     * peers it is random and never leaves this JVM; DeviceGuard refuses both names at an MQTT CONNECT.
     */
    private void cluster(Configuration c) {
        BrokerConfig.Cluster cluster = config.cluster();
        c.setClusterUser(cluster.user());
        c.setClusterPassword(cluster.on() ? cluster.password() : internalPassword);
        if (!cluster.on()) {
            return;
        }
        Map<String, Object> own = new HashMap<>();
        own.put(TransportConstants.HOST_PROP_NAME, cluster.host());
        own.put(TransportConstants.PORT_PROP_NAME, cluster.port());
        own.put(TransportConstants.USE_EPOLL_PROP_NAME, false);
        own.put(TransportConstants.USE_KQUEUE_PROP_NAME, false);
        if (cluster.trustStore() != null) {
            // TLS both ways: each node presents the broker's key store and accepts only peers whose
            // certificate the trust store vouches for (no login reaches the broker without one).
            own.put(TransportConstants.SSL_ENABLED_PROP_NAME, true);
            own.put(TransportConstants.KEYSTORE_PATH_PROP_NAME, config.tlsKeyStore().toString());
            if (config.tlsKeyStorePassword() != null) {
                own.put(TransportConstants.KEYSTORE_PASSWORD_PROP_NAME, config.tlsKeyStorePassword());
            }
            own.put(TransportConstants.TRUSTSTORE_PATH_PROP_NAME, cluster.trustStore().toString());
            if (cluster.trustStorePassword() != null) {
                own.put(TransportConstants.TRUSTSTORE_PASSWORD_PROP_NAME, cluster.trustStorePassword());
            }
        }
        Map<String, Object> acceptor = new HashMap<>(own);
        if (cluster.trustStore() != null) {
            acceptor.put(TransportConstants.NEED_CLIENT_AUTH_PROP_NAME, true);
        }
        // Core only, the protocol of the cluster's bridges: never MQTT, so no device logs in here.
        acceptor.put(TransportConstants.PROTOCOLS_PROP_NAME, "CORE");
        c.addAcceptorConfiguration(new TransportConfiguration(NettyAcceptorFactory.class.getName(), acceptor, "cluster"));
        // What the other nodes are told to connect to.
        c.addConnectorConfiguration("cluster-self", new TransportConfiguration(NettyConnectorFactory.class.getName(), own, "cluster-self"));
        List<String> peers = new java.util.ArrayList<>();
        for (BrokerConfig.Peer peer : cluster.peers()) {
            String name = "peer-" + peers.size();
            Map<String, Object> params = new HashMap<>(own);
            params.put(TransportConstants.HOST_PROP_NAME, peer.host());
            params.put(TransportConstants.PORT_PROP_NAME, peer.port());
            c.addConnectorConfiguration(name, new TransportConfiguration(NettyConnectorFactory.class.getName(), params, name));
            peers.add(name);
        }
        c.addClusterConfiguration(new ClusterConnectionConfiguration().setName(CLUSTER_CONNECTION)
                .setAddress(CLUSTER_ADDRESSES).setConnectorName("cluster-self").setStaticConnectors(peers)
                .setMessageLoadBalancingType(MessageLoadBalancingType.ON_DEMAND).setMaxHops(1)
                // A peer that is down (or not started yet) is tried again every second, for as long as it takes.
                .setRetryInterval(1_000).setRetryIntervalMultiplier(1).setMaxRetryInterval(1_000)
                .setInitialConnectAttempts(-1).setReconnectAttempts(-1).setDuplicateDetection(true));
    }

    /** The in-VM connector of this broker, for {@link HostedIngest}. */
    TransportConfiguration inVmConnector() {
        return new TransportConfiguration("org.apache.activemq.artemis.core.remoting.impl.invm.InVMConnectorFactory",
                Map.of(org.apache.activemq.artemis.core.remoting.impl.invm.TransportConstants.SERVER_ID_PROP_NAME, inVmId));
    }

    String internalUser() {
        return INTERNAL_USER;
    }

    String internalPassword() {
        return internalPassword;
    }

    /** This broker's node id: kept in its journal folder, new if the journal is new. */
    String nodeId() {
        return server.getNodeID().toString();
    }

    /** The Artemis server itself (tests look at its queues and sessions). */
    public ActiveMQServer server() {
        return server;
    }

    /** The devices connected to this broker. */
    public ConnectedDevices connected() {
        return connected;
    }

    /** Messages waiting in {@value #INGEST_QUEUE} (not yet committed and acknowledged by the service); 0 when stopped. */
    public long ingestQueueMessages() {
        ActiveMQServer s = server;
        org.apache.activemq.artemis.core.server.Queue q = s == null ? null
                : s.locateQueue(org.apache.activemq.artemis.api.core.SimpleString.of(INGEST_QUEUE));
        return q == null ? 0 : q.getMessageCount();
    }

    public int connectionCount() {
        return server == null ? 0 : server.getRemotingService().getConnectionCount();
    }

    @Override
    public void close() {
        if (revocations != null) {
            revocations.shutdownNow();
        }
        if (server != null) {
            try {
                server.stop();
            } catch (Exception e) {
                LOG.warn("The hosted broker did not stop cleanly: {}", e.toString());
            }
            server = null;
        }
    }
}
