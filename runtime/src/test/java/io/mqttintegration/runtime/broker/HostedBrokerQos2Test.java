package io.mqttintegration.runtime.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A QoS 2 PUBLISH the hosted broker refuses must not spoil its packet id: Artemis 2.40 answers a
 * refused QoS 2 PUBLISH with PUBREC 135 but keeps the id as received, and then acknowledged the next
 * PUBLISH reusing it (PUBREC 0, PUBCOMP) without storing it. An MQTT 5 client written byte by byte
 * ({@link RawMqtt5}) chooses the packet ids, with a session that outlives its connection.
 */
class HostedBrokerQos2Test extends HostedBrokerCase {

    static final int PUBREC = 5;
    static final int PUBCOMP = 7;
    static final int DISCONNECT = 14;

    @Test
    void qos2OutsideTheNamespaceGetsDisconnect135AndItsPacketIdStoresTheNextMessage() throws Exception {
        HostedBrokerTest.Device d = deviceOf(service);
        try (RawMqtt5 raw = new RawMqtt5(config.port())) {
            assertEquals(0, raw.connect("raw-1", d.username(), d.password(), false).reasonCode(), "CONNACK success");
            RawMqtt5.Packet refused = raw.publishQos2(7, "elsewhere", "x");
            assertEquals(DISCONNECT, refused.type(), "no PUBREC: a DISCONNECT");
            assertEquals(135, refused.body()[0] & 0xFF, "Not authorized");
            assertThrows(IOException.class, raw::next, "then the connection is closed");
        }
        try (RawMqtt5 raw = new RawMqtt5(config.port())) {
            assertEquals(0, raw.connect("raw-1", d.username(), d.password(), false).reasonCode(), "the same session again");
            RawMqtt5.Packet received = raw.publishQos2(7, "devices/" + d.username() + "/t", "{\"n\":1}");
            assertEquals(PUBREC, received.type());
            assertEquals(0, received.reasonCode(), "PUBREC success");
            assertEquals(PUBCOMP, raw.pubrel(7).type());
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> Rows.count(db,
                "SELECT count(*) FROM mqtt_messages WHERE source = 'hosted' AND integration_id = '" + d.integrationId() + "'") == 1);
    }

    /** A device credential made through the API, as HostedBrokerTest makes them. */
    static HostedBrokerTest.Device deviceOf(RuntimeHarness service) throws Exception {
        RuntimeHarness.Tenant tenant = service.createOrganization("acme");
        String integration = HostedBrokerTest.json(service.send("POST", "/api/v1/integrations", tenant.adminKey(),
                "{\"name\":\"devices\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}")).path("id").asText();
        var credential = HostedBrokerTest.json(service.send("POST", "/api/v1/integrations/" + integration + "/credentials",
                tenant.adminKey(), null));
        return new HostedBrokerTest.Device(tenant.organizationId(), integration, credential.path("id").asText(),
                credential.path("username").asText(), credential.path("password").asText());
    }
}
