package io.mqttintegration.broker;

import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.spi.config.Settings;
import java.nio.file.Path;

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
 */
public record BrokerConfig(boolean enabled, String host, int port, int tlsPort, Path tlsKeyStore, String tlsKeyStorePassword,
        Path journalDir, int ingestBatch, int ingestConsumers, int revocationCheckSeconds) {

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

    public static BrokerConfig from(Settings s, Path home) {
        String keyStore = s.optional(TLS_KEY_STORE);
        return new BrokerConfig(s.flag(ENABLED), s.text(HOST), s.integer(PORT), s.integer(TLS_PORT),
                keyStore == null ? null : home.resolve(keyStore).normalize(),
                keyStore == null ? null : s.secret(TLS_KEY_STORE_PASSWORD, home),
                home.resolve(s.text(JOURNAL_DIR)).normalize(), s.integer(INGEST_BATCH), s.integer(INGEST_CONSUMERS),
                s.integer(REVOCATION_CHECK_SECONDS));
    }

    /** The key store's password masked. */
    @Override
    public String toString() {
        return "BrokerConfig[enabled=" + enabled + ", host=" + host + ", port=" + port + ", tlsPort=" + tlsPort + ", tlsKeyStore="
                + tlsKeyStore + ", tlsKeyStorePassword=" + (tlsKeyStorePassword == null ? null : "********") + ", journalDir="
                + journalDir + ", ingestBatch=" + ingestBatch + ", ingestConsumers=" + ingestConsumers + ", revocationCheckSeconds=" + revocationCheckSeconds + "]";
    }
}
