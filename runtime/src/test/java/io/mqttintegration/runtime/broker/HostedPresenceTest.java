package io.mqttintegration.runtime.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;

/**
 * Device presence of hosted devices, with the real hosted broker, the service and PostgreSQL and
 * Paho v5 devices (a raw socket where Paho cannot fall silent): a connection makes its device online
 * on this node, and each way it can end is recorded with its reason, the last will with it.
 */
class HostedPresenceTest extends HostedBrokerCase {

    record Device(String organizationId, String adminKey, String integrationId, String credentialId, String username, String password) {
    }

    RuntimeHarness.Tenant tenant;
    String integrationId;

    @Override
    Map<String, String> settings() {
        return Map.of("presence.flushMillis", "100", "presence.sweepSeconds", "1", "presence.nodeTimeoutSeconds", "5");
    }

    Device device() throws Exception {
        if (tenant == null) {
            tenant = service.createOrganization("acme");
            integrationId = json(service.send("POST", "/api/v1/integrations", tenant.adminKey(),
                    "{\"name\":\"devices\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}")).path("id").asText();
        }
        HttpResponse<String> created = service.send("POST", "/api/v1/integrations/" + integrationId + "/credentials", tenant.adminKey(), null);
        assertEquals(201, created.statusCode(), created.body());
        JsonNode c = json(created);
        return new Device(tenant.organizationId(), tenant.adminKey(), integrationId, c.path("id").asText(), c.path("username").asText(),
                c.path("password").asText());
    }

    MqttConnectionOptions login(Device d) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(d.username());
        o.setPassword(d.password().getBytes(StandardCharsets.UTF_8));
        o.setConnectionTimeout(10);
        return o;
    }

    MqttAsyncClient connected(Device d, String clientId) throws MqttException {
        MqttAsyncClient c = client(clientId);
        c.connect(login(d)).waitForCompletion(10_000);
        return c;
    }

    String state(Device d) {
        return Rows.text(db, "SELECT state || ' ' || reason FROM device_presence WHERE device_id = '" + d.username() + "'");
    }

    void awaitState(Device d, String expected) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertEquals(expected, state(d)));
    }

    /** The details of the device's newest offline transition. */
    JsonNode offlineDetails(Device d) throws Exception {
        return Json.strict().readTree(Rows.text(db, "SELECT details::text FROM device_transitions WHERE device_id = '" + d.username()
                + "' AND state = 'offline' ORDER BY at DESC LIMIT 1"));
    }

    String node() {
        return Rows.text(db, "SELECT node_id FROM service_nodes WHERE stopped_at IS NULL");
    }

    @Test
    void aConnectedDeviceIsOnlineOnThisNodeAndItsDisconnectTakesItOffline() throws Exception {
        Device d = device();
        MqttAsyncClient c = connected(d, "c-" + d.username());
        awaitState(d, "online connected");
        assertEquals(node(), Rows.text(db, "SELECT node FROM device_presence WHERE device_id = '" + d.username() + "'"));
        assertEquals("c-" + d.username(), Rows.text(db, "SELECT client_id FROM device_presence WHERE device_id = '" + d.username() + "'"));
        assertTrue(Rows.text(db, "SELECT remote_address FROM device_presence WHERE device_id = '" + d.username() + "'").contains("127.0.0.1"));
        String connection = Rows.text(db, "SELECT connection_id FROM device_presence WHERE device_id = '" + d.username() + "'");
        assertTrue(connection != null && !connection.isEmpty(), "the connection is kept");

        c.disconnect().waitForCompletion(10_000);
        awaitState(d, "offline client_disconnect");
        assertEquals(null, Rows.text(db, "SELECT node FROM device_presence WHERE device_id = '" + d.username() + "'"));
        assertEquals(false, offlineDetails(d).path("willPublished").asBoolean(true), "a DISCONNECT with reason 0 publishes no will");
        assertEquals(node(), Rows.text(db, "SELECT node FROM device_transitions WHERE device_id = '" + d.username() + "' AND state = 'offline'"));
    }

    @Test
    void aDeviceThatDropsItsConnectionIsOfflineConnectionLostAndItsLastWillIsPublished() throws Exception {
        Device d = device();
        MqttAsyncClient c = client("w-" + d.username());
        MqttConnectionOptions o = login(d);
        MqttMessage will = new MqttMessage("{\"status\":\"gone\"}".getBytes(StandardCharsets.UTF_8));
        will.setQos(1);
        o.setWill("devices/" + d.username() + "/status", will);
        c.connect(o).waitForCompletion(10_000);
        awaitState(d, "online connected");

        c.disconnectForcibly(0, 1_000, false); // the socket closes, no DISCONNECT
        awaitState(d, "offline connection_lost");
        assertEquals(true, offlineDetails(d).path("willPublished").asBoolean(false));
        // The will goes to the device's own topic, so it is stored like any message of the device.
        await().atMost(Duration.ofSeconds(20)).until(() -> Rows.count(db,
                "SELECT count(*) FROM mqtt_messages WHERE topic = 'devices/" + d.username() + "/status'") == 1);
        assertEquals("{\"status\":\"gone\"}", Rows.text(db, "SELECT convert_from(payload, 'UTF8') FROM mqtt_messages WHERE topic = 'devices/"
                + d.username() + "/status'"));
        assertEquals("offline connection_lost", state(d), "the will, received before the end was recorded, does not bring it back");
    }

    @Test
    void aDeviceThatStopsSendingWithinItsKeepAliveIsOfflineKeepAliveTimeout() throws Exception {
        Device d = device();
        try (RawMqtt5 raw = new RawMqtt5(config.port())) {
            assertEquals(0, raw.connect("k-" + d.username(), d.username(), d.password(), true, 2).reasonCode(), "CONNACK success");
            awaitState(d, "online connected");
            // Nothing more, not even PINGREQ: the broker ends it after 1.5 x 2 s.
            awaitState(d, "offline keep_alive_timeout");
        }
    }

    @Test
    void anotherConnectionWithTheSameClientIdTakesTheSessionOver() throws Exception {
        Device first = device();
        Device second = device();
        connected(first, "shared-client");
        awaitState(first, "online connected");
        connected(second, "shared-client");
        awaitState(second, "online connected");
        awaitState(first, "offline taken_over");
    }

    @Test
    void theSameDeviceReconnectingStaysOnlineWithItsNewConnection() throws Exception {
        Device d = device();
        connected(d, "r-" + d.username());
        awaitState(d, "online connected");
        String old = Rows.text(db, "SELECT connection_id FROM device_presence WHERE device_id = '" + d.username() + "'");
        connected(d, "r-" + d.username());
        await().atMost(Duration.ofSeconds(20)).until(() -> !old.equals(
                Rows.text(db, "SELECT connection_id FROM device_presence WHERE device_id = '" + d.username() + "'")));
        // The old connection's end (taken over) arrives after the new connection: it no longer applies.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> "online connected".equals(state(d)));
        assertEquals(0, Rows.count(db, "SELECT count(*) FROM device_transitions WHERE device_id = '" + d.username() + "' AND state = 'offline'"));
    }

    @Test
    void aDeviceWhoseCredentialIsRevokedIsOfflineRevoked() throws Exception {
        Device d = device();
        connected(d, "v-" + d.username());
        awaitState(d, "online connected");
        assertEquals(204, service.send("DELETE", "/api/v1/integrations/" + d.integrationId() + "/credentials/" + d.credentialId(),
                d.adminKey(), null).statusCode());
        awaitState(d, "offline revoked");
    }

    @Test
    void aDeviceTheBrokerClosesForWhatItSentIsOfflineRefused() throws Exception {
        Device d = device();
        MqttAsyncClient c = connected(d, "x-" + d.username());
        awaitState(d, "online connected");
        MqttMessage outside = new MqttMessage("{}".getBytes(StandardCharsets.UTF_8));
        outside.setQos(0);
        c.publish("devices/someone-else/t", outside);
        awaitState(d, "offline refused");
    }

    @Test
    void theBrokerStoppingTakesItsDevicesOfflineBeforeItsCloseReturns() throws Exception {
        Device d = device();
        connected(d, "s-" + d.username());
        awaitState(d, "online connected");
        hosted.close();
        hosted = null;
        assertEquals("offline node_stopped", state(d), "written before close returned");
    }

    @Test
    void theCapCountsTheOrganizationsDevicesOnlineOnTheOtherLiveNodes() throws Exception {
        Device d = device();
        assertEquals(200, service.send("PATCH", "/api/v1/organizations/" + d.organizationId() + "/quotas", RuntimeHarness.OPERATOR_KEY,
                "{\"connectedDevices\":1}").statusCode());
        execute("INSERT INTO service_nodes (node_id) VALUES ('other')");
        execute("INSERT INTO device_presence (id, organization_id, integration_id, device_id, state, since, reason, node, connection_id)"
                + " VALUES (gen_random_uuid(), '" + d.organizationId() + "', '" + d.integrationId() + "', 'elsewhere-1', 'online', now(),"
                + " 'connected', 'other', 'o/1')");
        UUID org = UUID.fromString(d.organizationId());
        await().atMost(Duration.ofSeconds(10)).until(() -> service.runtime.hostedParts().connectedElsewhere(org) == 1);

        MqttAsyncClient c = client("cap-" + d.username());
        MqttException refused = assertThrows(MqttException.class, () -> c.connect(login(d)).waitForCompletion(10_000));
        assertEquals(HostedBrokerLimitsTest.QUOTA_EXCEEDED, refused.getReasonCode(), "the one slot is taken on the other node: " + refused);

        execute("UPDATE service_nodes SET heartbeat_at = now() - interval '1 minute' WHERE node_id = 'other'");
        await().atMost(Duration.ofSeconds(10)).until(() -> service.runtime.hostedParts().connectedElsewhere(org) == 0);
        connected(d, "cap2-" + d.username());
        awaitState(d, "online connected");
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }
}
