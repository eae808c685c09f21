package io.mqttintegration.broker;

import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.spi.config.Settings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PID {@code mqtt.integration.broker}, validated: the hosted MQTT broker devices connect to
 * (feature {@code mqtt-integration-broker}, docs/operations.md).
 *
 * @param tlsKeyStore         the TLS key store (resolved against the Karaf base), or null: no TLS acceptor
 * @param tlsKeyStorePassword its password (a secret reference), or null
 * @param journalDir          the broker's journal, bindings, paging and large-message folders live here
 * @param ingestBatch         messages the in-VM consumer takes from the broker's queue per round (each
 *                            round waits for the commit of all of them, then acknowledges them together)
 * @param ingestConsumers     rounds in flight at once, each with its own in-VM session and thread
 * @param revocationCheckSeconds how often connected devices' credentials are checked for revocation (0: never)
 * @param cluster             the cluster link to the other nodes' brokers ({@link Cluster#on()} false: none)
 */
public record BrokerConfig(boolean enabled, String host, int port, int tlsPort, Path tlsKeyStore, String tlsKeyStorePassword,
        Path journalDir, int ingestBatch, int ingestConsumers, int revocationCheckSeconds, Cluster cluster) {

    public static final String PID_NAME = "mqtt.integration.broker";
    public static final ConfigPid PID = new ConfigPid(PID_NAME,
            "mqtt-integration: the hosted MQTT broker devices connect to (feature mqtt-integration-broker)");
    static final ConfigKey ENABLED = PID.flag("broker.enabled", true,
            "false: the feature is installed but no broker runs", "MQI_BROKER_ENABLED");
    static final ConfigKey HOST = PID.text("broker.host", "127.0.0.1",
            "address the MQTT acceptors listen on", "MQI_BROKER_HOST");
    static final ConfigKey PORT = PID.integer("broker.port", 1883, 1, 65_535, "port of the plain MQTT acceptor", "MQI_BROKER_PORT");
    static final ConfigKey TLS_PORT = PID.integer("broker.tls.port", 8883, 1, 65_535,
            "port of the MQTT over TLS acceptor, opened only when a key store is set", "MQI_BROKER_TLS_PORT");
    static final ConfigKey TLS_KEY_STORE = PID.optional("broker.tls.keyStore",
            "PKCS12 or JKS key store for MQTT over TLS, relative to the Karaf base; empty: no TLS acceptor",
            "MQI_BROKER_TLS_KEYSTORE");
    static final ConfigKey TLS_KEY_STORE_PASSWORD = PID.secret("broker.tls.keyStorePassword", "env:MQI_BROKER_TLS_KEYSTORE_PASSWORD",
            "where the key store's password is (env:NAME or file:PATH)");
    static final ConfigKey JOURNAL_DIR = PID.text("broker.journalDir", "data/broker",
            "the broker's journal, relative to the Karaf base: messages not committed yet live here", "MQI_BROKER_JOURNAL_DIR");
    static final ConfigKey INGEST_BATCH = PID.integer("broker.ingest.batch", 500, 1, 10_000,
            "messages the service takes from the broker per round", "MQI_BROKER_INGEST_BATCH");
    static final ConfigKey INGEST_CONSUMERS = PID.integer("broker.ingest.consumers", 2, 1, 16,
            "rounds in flight at once, each with its own session and thread", "MQI_BROKER_INGEST_CONSUMERS");
    static final ConfigKey REVOCATION_CHECK_SECONDS = PID.integer("broker.revocationCheckSeconds", 2, 0, 3600,
            "how often connected devices' credentials are checked for revocation (s); 0: only at CONNECT",
            "MQI_BROKER_REVOCATION_CHECK_SECONDS");

    static final ConfigKey CLUSTER_PEERS = PID.optional("broker.cluster.peers",
            "host:port of the other nodes' cluster acceptors, comma-separated; empty: this broker is not clustered",
            "MQI_BROKER_CLUSTER_PEERS");
    static final ConfigKey CLUSTER_HOST = PID.text("broker.cluster.host", "127.0.0.1",
            "address of the cluster acceptor (core protocol, cluster user only), also what the other nodes are told to "
                    + "connect to: loopback or a private interface, never 0.0.0.0", "MQI_BROKER_CLUSTER_HOST");
    static final ConfigKey CLUSTER_PORT = PID.integer("broker.cluster.port", 61616, 1, 65_535,
            "port of the cluster acceptor, opened only when peers are set", "MQI_BROKER_CLUSTER_PORT");
    static final ConfigKey CLUSTER_USER = PID.text("broker.cluster.user", "mqi.cluster",
            "the user the brokers of the cluster log in to each other with (the same on every node)", "MQI_BROKER_CLUSTER_USER");
    static final ConfigKey CLUSTER_PASSWORD = PID.secret("broker.cluster.password", "env:MQI_BROKER_CLUSTER_PASSWORD",
            "where the cluster user's password is (env:NAME or file:PATH), the same on every node; required when peers are set");
    static final ConfigKey CLUSTER_TRUST_STORE = PID.optional("broker.cluster.tls.trustStore",
            "PKCS12 or JKS trust store of the nodes' certificates (or their CA), relative to the Karaf base: set, the cluster link "
                    + "is TLS both ways with broker.tls.keyStore as each node's certificate; empty: the link is plain",
            "MQI_BROKER_CLUSTER_TLS_TRUSTSTORE");
    static final ConfigKey CLUSTER_TRUST_STORE_PASSWORD = PID.secret("broker.cluster.tls.trustStorePassword",
            "env:MQI_BROKER_CLUSTER_TLS_TRUSTSTORE_PASSWORD", "where the trust store's password is (env:NAME or file:PATH)");

    public BrokerConfig {
        if (cluster.trustStore() != null && tlsKeyStore == null) {
            throw new IllegalArgumentException("configuration key 'broker.cluster.tls.trustStore' is set but 'broker.tls.keyStore' "
                    + "is not: over TLS each node presents the broker's key store to the others");
        }
    }

    /** Without a cluster: the other keys' defaults, no peers. */
    public BrokerConfig(boolean enabled, String host, int port, int tlsPort, Path tlsKeyStore, String tlsKeyStorePassword,
            Path journalDir, int ingestBatch, int ingestConsumers, int revocationCheckSeconds) {
        this(enabled, host, port, tlsPort, tlsKeyStore, tlsKeyStorePassword, journalDir, ingestBatch, ingestConsumers,
                revocationCheckSeconds, Cluster.OFF);
    }

    /** This config with {@code cluster} instead of its own. */
    public BrokerConfig withCluster(Cluster cluster) {
        return new BrokerConfig(enabled, host, port, tlsPort, tlsKeyStore, tlsKeyStorePassword, journalDir, ingestBatch,
                ingestConsumers, revocationCheckSeconds, cluster);
    }

    /**
     * The link between the nodes' brokers: Artemis' own cluster connection, with a core-only acceptor
     * on {@code host:port} that only {@code user} may use.
     *
     * @param peers    {@code host:port} of the other nodes' cluster acceptors; empty: no cluster, no acceptor
     * @param password the cluster user's password; required when there are peers
     * @param trustStore the nodes' certificates (or their CA), or null: the link is not encrypted
     */
    public record Cluster(List<Peer> peers, String host, int port, String user, String password, Path trustStore,
            String trustStorePassword) {

        /** No peers: the defaults of the other keys. */
        public static final Cluster OFF = new Cluster(List.of(), "127.0.0.1", 61616, "mqi.cluster", null);

        /** Without TLS. */
        public Cluster(List<Peer> peers, String host, int port, String user, String password) {
            this(peers, host, port, user, password, null, null);
        }

        public Cluster {
            peers = List.copyOf(peers);
            if (!peers.isEmpty() && (password == null || password.isEmpty())) {
                throw new IllegalArgumentException("configuration key 'broker.cluster.password' names no password, and "
                        + "broker.cluster.peers is set: the brokers of a cluster log in to each other with it");
            }
        }

        public boolean on() {
            return !peers.isEmpty();
        }

        /** The password masked. */
        @Override
        public String toString() {
            return "Cluster[peers=" + peers + ", host=" + host + ", port=" + port + ", user=" + user + ", password="
                    + (password == null ? null : "********") + ", trustStore=" + trustStore + ", trustStorePassword="
                    + (trustStorePassword == null ? null : "********") + "]";
        }
    }

    /** One other node's cluster acceptor. */
    public record Peer(String host, int port) {

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public static BrokerConfig from(Settings s, Path home) {
        String keyStore = s.optional(TLS_KEY_STORE);
        List<Peer> peers = peers(s.optional(CLUSTER_PEERS));
        String trustStore = peers.isEmpty() ? null : s.optional(CLUSTER_TRUST_STORE);
        Cluster cluster = new Cluster(peers, s.text(CLUSTER_HOST), s.integer(CLUSTER_PORT), s.text(CLUSTER_USER),
                peers.isEmpty() ? null : s.secret(CLUSTER_PASSWORD, home),
                trustStore == null ? null : home.resolve(trustStore).normalize(),
                trustStore == null ? null : s.secret(CLUSTER_TRUST_STORE_PASSWORD, home));
        return new BrokerConfig(s.flag(ENABLED), s.text(HOST), s.integer(PORT), s.integer(TLS_PORT),
                keyStore == null ? null : home.resolve(keyStore).normalize(),
                keyStore == null ? null : s.secret(TLS_KEY_STORE_PASSWORD, home),
                home.resolve(s.text(JOURNAL_DIR)).normalize(), s.integer(INGEST_BATCH), s.integer(INGEST_CONSUMERS),
                s.integer(REVOCATION_CHECK_SECONDS), cluster);
    }

    /** {@code host:port,host:port}; an IPv6 address in brackets ({@code [::1]:61616}). */
    static List<Peer> peers(String value) {
        List<Peer> peers = new ArrayList<>();
        if (value == null) {
            return peers;
        }
        for (String part : value.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int colon = p.lastIndexOf(':');
            String host = colon > 0 ? p.substring(0, colon) : "";
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(p.substring(colon + 1)) : -1;
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (host.isEmpty() || port < 1 || port > 65_535) {
                throw new IllegalArgumentException("configuration key 'broker.cluster.peers': '" + p
                        + "' is not host:port (the other nodes' cluster acceptors, comma-separated)");
            }
            peers.add(new Peer(host, port));
        }
        return peers;
    }

    /** The key store's password masked. */
    @Override
    public String toString() {
        return "BrokerConfig[enabled=" + enabled + ", host=" + host + ", port=" + port + ", tlsPort=" + tlsPort + ", tlsKeyStore="
                + tlsKeyStore + ", tlsKeyStorePassword=" + (tlsKeyStorePassword == null ? null : "********") + ", journalDir="
                + journalDir + ", ingestBatch=" + ingestBatch + ", ingestConsumers=" + ingestConsumers + ", revocationCheckSeconds=" + revocationCheckSeconds + ", cluster=" + cluster + "]";
    }
}
