package io.mqttintegration.broker;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import org.apache.activemq.artemis.core.protocol.mqtt.MQTTInterceptor;
import org.apache.activemq.artemis.core.protocol.mqtt.MQTTReasonCodes;
import org.apache.activemq.artemis.core.remoting.impl.netty.NettyConnection;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;

/**
 * The broker's outgoing interceptor: gives a device the reason code of a limit where Artemis 2.40
 * has none to give. Artemis has no hook that answers a CONNECT or a PUBLISH with a reason code of
 * one's choosing; it answers a refused login with CONNACK 134 (MQTT 3.1.1: 5) and a send its security
 * refused with PUBACK/PUBREC 135 (MQTT 3.1.1: closes the connection). So a refusal for a limit is
 * made as one of those ({@link DeviceSecurityManager}, {@link DeviceLimitsPlugin}) and marked in
 * {@link ConnectedDevices}; here its reply is replaced, on the same connection and in the same order:
 * <ul>
 * <li>CONNACK of a CONNECT over the organization's cap: 151 Quota exceeded (MQTT 3.1.1: 3, Server
 * unavailable: the credential is fine, the device should try later);</li>
 * <li>PUBACK of a QoS 1 message beyond the device's rate: 151 Quota exceeded (150, Message rate too
 * high, is not a reason code a PUBACK may carry in MQTT 5; it is used for DISCONNECT).</li>
 * </ul>
 */
public final class DeviceReplies implements MQTTInterceptor {

    private final ConnectedDevices devices;

    public DeviceReplies(ConnectedDevices devices) {
        this.devices = devices;
    }

    @Override
    public boolean intercept(MqttMessage packet, RemotingConnection connection) {
        MqttMessageType type = packet.fixedHeader().messageType();
        if (type == MqttMessageType.CONNACK && devices.takeCapRefusal(connection.getID())) {
            // Artemis chose 134 for MQTT 5, 5 for MQTT 3.1.1 (it sends no CONNACK to 3.1: DeviceGuard).
            boolean mqtt5 = (packet.variableHeader() instanceof io.netty.handler.codec.mqtt.MqttConnAckVariableHeader h)
                    && h.connectReturnCode().byteValue() == MQTTReasonCodes.BAD_USER_NAME_OR_PASSWORD;
            write(connection, MqttMessageBuilders.connAck()
                    .returnCode(MqttConnectReturnCode.valueOf(mqtt5 ? MQTTReasonCodes.QUOTA_EXCEEDED : MQTTReasonCodes.SERVER_UNAVAILABLE_3))
                    .sessionPresent(false).build());
            return false;
        }
        if (type == MqttMessageType.PUBACK && packet.variableHeader() instanceof MqttPubReplyMessageVariableHeader reply
                && reply.reasonCode() == MQTTReasonCodes.NOT_AUTHORIZED && devices.takeRateRefusal(connection.getID())) {
            write(connection, new MqttMessage(new MqttFixedHeader(type, false, MqttQoS.AT_MOST_ONCE, false, 0),
                    new MqttPubReplyMessageVariableHeader(reply.messageId(), MQTTReasonCodes.QUOTA_EXCEEDED, MqttProperties.NO_PROPERTIES)));
            return false;
        }
        return true;
    }

    static boolean isMqtt5(RemotingConnection connection) {
        // "MQTT" + the protocol version Artemis sets after an MQTT 5 CONNECT.
        return "MQTT5".equals(connection.getProtocolName());
    }

    /** Writes a packet through the connection's pipeline (its MQTT encoder), after what was written before. */
    static void write(RemotingConnection connection, MqttMessage packet) {
        if (connection.getTransportConnection() instanceof NettyConnection netty) {
            netty.getChannel().writeAndFlush(packet);
        }
    }
}
