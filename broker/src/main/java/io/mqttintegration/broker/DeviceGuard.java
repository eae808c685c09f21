package io.mqttintegration.broker;

import io.mqttintegration.spi.broker.DisconnectReason;
import io.mqttintegration.spi.broker.Refusal;
import io.mqttintegration.spi.broker.DeviceNamespace;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import java.util.Set;
import javax.security.auth.Subject;
import org.apache.activemq.artemis.core.protocol.mqtt.MQTTInterceptor;
import org.apache.activemq.artemis.core.protocol.mqtt.MQTTReasonCodes;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.apache.activemq.artemis.spi.core.security.jaas.UserPrincipal;

/**
 * The broker's incoming interceptor. Closes the connection (Artemis does when an interceptor refuses
 * a packet) where Artemis 2.40 would otherwise drop a refused message without the device knowing
 * (both measured):
 * <ul>
 * <li>MQTT 3.1 (protocol level 3) at CONNECT: a 3.1 client's QoS 1 PUBLISH outside its namespace
 * gets a plain PUBACK and the message is dropped;</li>
 * <li>a CONNECT with one of the broker's own usernames (the cluster user, Artemis' default one, the
 * internal user): Artemis checks the cluster user's password itself, on every acceptor, and then
 * skips every permission check; over MQTT no one is that user;</li>
 * <li>a QoS 0 PUBLISH outside the device's namespace: QoS 0 has no acknowledgement to carry a
 * refusal, so the connection is closed instead of the message vanishing;</li>
 * <li>a QoS 2 PUBLISH outside the device's namespace: Artemis would answer PUBREC 135 but keep its
 * packet id as received, and then acknowledge the next QoS 2 PUBLISH reusing that id as a duplicate
 * without storing it (measured: PUBREC 0, PUBCOMP, no row), so it never gets the packet;</li>
 * <li>a QoS 0 or QoS 2 PUBLISH beyond the device's message rate ({@link ConnectedDevices#tryPublish}).</li>
 * </ul>
 * An MQTT 5 device is first sent DISCONNECT with the reason: 135 (Not authorized) or 150 (Message rate
 * too high). MQTT 5 QoS 1 gets its reason code 135 from the security manager, and MQTT 3.1.1 loses its
 * connection there; those are left to Artemis. The rate of QoS 1 is checked by {@link DeviceLimitsPlugin}.
 *
 * <p>Device presence: it notes whether a CONNECT sets a last will, marks a connection it closes as
 * refused, and a DISCONNECT from the device (with its reason code: 0 discards the will) as the
 * device's own end ({@link ConnectedDevices#ending}).
 */
public final class DeviceGuard implements MQTTInterceptor {

    static final int MQTT_3_1 = 3;

    private final ConnectedDevices devices;
    private final Set<String> reserved;

    /** @param reserved usernames no MQTT client may connect with */
    public DeviceGuard(ConnectedDevices devices, Set<String> reserved) {
        this.devices = devices;
        this.reserved = Set.copyOf(reserved);
    }

    @Override
    public boolean intercept(MqttMessage packet, RemotingConnection connection) {
        MqttMessageType type = packet.fixedHeader().messageType();
        if (type == MqttMessageType.CONNECT && packet instanceof MqttConnectMessage connect) {
            String username = connect.payload() == null ? null : connect.payload().userName();
            if (username != null && reserved.contains(username)) {
                devices.refused(Refusal.BAD_LOGIN);
                return false;
            }
            devices.connecting(connection.getID(), connect.variableHeader().isWillFlag());
            return connect.variableHeader().version() != MQTT_3_1;
        }
        if (type == MqttMessageType.DISCONNECT) {
            // MQTT 3.1.1's DISCONNECT has no reason code: always normal.
            int reason = packet.variableHeader() instanceof MqttReasonCodeAndPropertiesVariableHeader h ? h.reasonCode() & 0xFF : 0;
            devices.disconnecting(connection.getID(), reason);
            return true;
        }
        if (type == MqttMessageType.PUBLISH && packet instanceof MqttPublishMessage publish) {
            MqttQoS qos = packet.fixedHeader().qosLevel();
            if (qos != MqttQoS.AT_LEAST_ONCE) {
                String user = user(connection);
                // The service's own sessions are in-VM core ones, never MQTT: every MQTT publisher is a device.
                if (user == null || !DeviceNamespace.allowsTopic(user, publish.variableHeader().topicName())) {
                    devices.refused(Refusal.NOT_AUTHORIZED);
                    if (DeviceReplies.isMqtt5(connection)) {
                        DeviceReplies.write(connection, MqttMessageBuilders.disconnect().reasonCode(MQTTReasonCodes.NOT_AUTHORIZED).build());
                    }
                    devices.ending(connection.getID(), DisconnectReason.REFUSED);
                    return false;
                }
            }
            // QoS 1 is limited by DeviceLimitsPlugin (PUBACK 151). QoS 2 here: Artemis keeps the packet id
            // of a QoS 2 PUBLISH it refused, and takes the next PUBLISH reusing that id for a duplicate
            // (PUBREC 0, not stored), so a refusal must not go through it.
            if (qos != MqttQoS.AT_LEAST_ONCE && !devices.tryPublish(connection.getID(), false)) {
                if (DeviceReplies.isMqtt5(connection)) {
                    DeviceReplies.write(connection, MqttMessageBuilders.disconnect().reasonCode(MQTTReasonCodes.MESSAGE_RATE_TOO_HIGH).build());
                }
                devices.ending(connection.getID(), DisconnectReason.REFUSED);
                return false;
            }
        }
        return true;
    }

    private static String user(RemotingConnection connection) {
        Subject subject = connection == null ? null : connection.getSubject();
        if (subject == null) {
            return null;
        }
        return subject.getPrincipals(UserPrincipal.class).stream().map(UserPrincipal::getName).findFirst().orElse(null);
    }
}
