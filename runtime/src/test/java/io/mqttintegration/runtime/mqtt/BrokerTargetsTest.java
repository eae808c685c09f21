package io.mqttintegration.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class BrokerTargetsTest {

    private final BrokerTargets production = new BrokerTargets(false);
    private final BrokerTargets development = new BrokerTargets(true);

    @Test
    void metadataLinkLocalUnspecifiedAndMulticastAreAlwaysRefused() throws Exception {
        for (String host : new String[] {"169.254.169.254", "fd00:ec2::254", "0.0.0.0", "::", "224.0.0.1", "fe80::1"}) {
            assertFalse(development.allowed(InetAddress.getByName(host)), host);
            BrokerException e = assertThrows(BrokerException.class, () -> development.resolve(host), host);
            assertEquals("refused", e.kind(), "looks like any refused connection");
        }
    }

    @Test
    void loopbackAndPrivateRangesOnlyWhenAllowed() throws Exception {
        for (String host : new String[] {"127.0.0.1", "::1", "::ffff:127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1",
                "100.64.0.1", "fd12:3456::1"}) {
            assertFalse(production.allowed(InetAddress.getByName(host)), host);
            assertTrue(development.allowed(InetAddress.getByName(host)), host);
        }
        assertEquals("refused", assertThrows(BrokerException.class, () -> production.resolve("localhost")).kind(),
                "a name that resolves to a blocked address is refused too");
        assertTrue(production.allowed(InetAddress.getByName("93.184.216.34")), "a public address");
    }

    @Test
    void aNameThatDoesNotResolveIsADnsError() {
        assertEquals("dns", assertThrows(BrokerException.class, () -> development.resolve("no-such-host.invalid")).kind());
    }
}
