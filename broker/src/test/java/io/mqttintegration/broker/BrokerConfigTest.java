package io.mqttintegration.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.spi.config.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cluster keys of the hosted broker's PID, read as the broker starts. */
class BrokerConfigTest {

    static final Path HOME = Path.of("/opt/mqi");

    static BrokerConfig read(Map<String, String> values, Map<String, String> environment) {
        return BrokerConfig.from(new Settings(values, environment::get), HOME);
    }

    @Test
    void withoutPeersThereIsNoClusterAndNoPasswordIsNeeded() {
        BrokerConfig c = read(Map.of(), Map.of());
        assertFalse(c.cluster().on());
        assertNull(c.cluster().password());
        assertEquals(BrokerConfig.Cluster.OFF, c.cluster());
    }

    @Test
    void peersAreReadWithTheClusterAcceptorAndThePasswordFromItsReference() {
        BrokerConfig c = read(Map.of("broker.cluster.peers", " 10.0.0.2:61616, node3.internal:61617 ,[fd00::3]:61618",
                "broker.cluster.host", "10.0.0.1", "broker.cluster.port", "61000"), Map.of("MQI_BROKER_CLUSTER_PASSWORD", "s3cret"));
        assertTrue(c.cluster().on());
        assertEquals(List.of(new BrokerConfig.Peer("10.0.0.2", 61616), new BrokerConfig.Peer("node3.internal", 61617),
                new BrokerConfig.Peer("fd00::3", 61618)), c.cluster().peers());
        assertEquals("10.0.0.1", c.cluster().host());
        assertEquals(61000, c.cluster().port());
        assertEquals("mqi.cluster", c.cluster().user());
        assertEquals("s3cret", c.cluster().password());
        assertFalse(c.toString().contains("s3cret"), "the password is masked: " + c);
    }

    @Test
    void peersWithoutAPasswordRefuseToStart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read(Map.of("broker.cluster.peers", "10.0.0.2:61616"), Map.of()));
        assertTrue(e.getMessage().contains("broker.cluster.password"), e.getMessage());
    }

    @Test
    void aPeerThatIsNotHostColonPortIsRefused() {
        for (String bad : List.of("10.0.0.2", "10.0.0.2:", ":61616", "10.0.0.2:0", "10.0.0.2:70000", "10.0.0.2:x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> read(Map.of("broker.cluster.peers", bad), Map.of("MQI_BROKER_CLUSTER_PASSWORD", "s3cret")), bad);
            assertTrue(e.getMessage().contains("broker.cluster.peers"), e.getMessage());
        }
    }

    @Test
    void aTrustStoreNeedsTheBrokersKeyStore() {
        Map<String, String> env = Map.of("MQI_BROKER_CLUSTER_PASSWORD", "s3cret", "MQI_BROKER_CLUSTER_TLS_TRUSTSTORE_PASSWORD", "tpw",
                "MQI_BROKER_TLS_KEYSTORE_PASSWORD", "kpw");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(Map.of("broker.cluster.peers", "10.0.0.2:61616",
                "broker.cluster.tls.trustStore", "etc/cluster-trust.p12"), env));
        assertTrue(e.getMessage().contains("broker.tls.keyStore"), e.getMessage());
        BrokerConfig c = read(Map.of("broker.cluster.peers", "10.0.0.2:61616", "broker.cluster.tls.trustStore", "etc/cluster-trust.p12",
                "broker.tls.keyStore", "etc/broker.p12"), env);
        assertEquals(HOME.resolve("etc/cluster-trust.p12"), c.cluster().trustStore());
        assertEquals("tpw", c.cluster().trustStorePassword());
    }
}
