package io.mqttintegration.runtime.config;

import io.mqttintegration.runtime.Settings;
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

    public static BrokerConfig from(Settings s, Path home) {
        String keyStore = s.optional("broker.tls.keyStore");
        return new BrokerConfig(s.flag("broker.enabled"), s.text("broker.host"), s.integer("broker.port", 1, 65_535),
                s.integer("broker.tls.port", 1, 65_535), keyStore == null ? null : home.resolve(keyStore).normalize(),
                keyStore == null ? null : s.secret("broker.tls.keyStorePassword", home),
                home.resolve(s.text("broker.journalDir")).normalize(), s.integer("broker.ingest.batch", 1, 10_000),
                s.integer("broker.ingest.consumers", 1, 16),
                s.integer("broker.revocationCheckSeconds", 0, 3600));
    }

    /** The key store's password masked. */
    @Override
    public String toString() {
        return "BrokerConfig[enabled=" + enabled + ", host=" + host + ", port=" + port + ", tlsPort=" + tlsPort + ", tlsKeyStore="
                + tlsKeyStore + ", tlsKeyStorePassword=" + (tlsKeyStorePassword == null ? null : "********") + ", journalDir="
                + journalDir + ", ingestBatch=" + ingestBatch + ", ingestConsumers=" + ingestConsumers + ", revocationCheckSeconds=" + revocationCheckSeconds + "]";
    }
}
