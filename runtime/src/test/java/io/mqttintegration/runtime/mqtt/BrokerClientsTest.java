package io.mqttintegration.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class BrokerClientsTest {

    private static BrokerClients.Target target(String protocol, String host) {
        return new BrokerClients.Target(protocol, host, 8080, "/mqtt", "c", null, null, 60, null);
    }

    @Test
    void plainAndWebSocketUrlsNameTheCheckedAddressTlsOnesTheHostForSniAndTheCertificate() throws Exception {
        InetAddress checked = InetAddress.getByName("93.184.216.34");
        assertEquals("tcp://93.184.216.34:8080", BrokerClients.url(checked, target("mqtt", "broker.example")));
        assertEquals("ws://93.184.216.34:8080/mqtt", BrokerClients.url(checked, target("ws", "broker.example")));
        assertEquals("ws://[2606:2800:220:1:248:1893:25c8:1946]:8080/mqtt",
                BrokerClients.url(InetAddress.getByName("2606:2800:220:1:248:1893:25c8:1946"), target("ws", "broker.example")));
        assertEquals("ssl://broker.example:8080", BrokerClients.url(checked, target("mqtts", "broker.example")));
        assertEquals("wss://broker.example:8080/mqtt", BrokerClients.url(checked, target("wss", "broker.example")));
        assertEquals(PinnedSslSocketFactory.class,
                BrokerClients.options(target("wss", "broker.example"), checked, 5).getSocketFactory().getClass(),
                "TLS sockets connect to the checked address, not to what the name resolves to later");
    }
}
