package io.mqttintegration.broker;

import io.mqttintegration.spi.broker.DisconnectReason;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQSecurityException;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.core.postoffice.RoutingStatus;
import org.apache.activemq.artemis.core.protocol.mqtt.MQTTUtil;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.apache.activemq.artemis.core.server.plugin.ActiveMQServerPlugin;
import org.apache.activemq.artemis.core.transaction.Transaction;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;

/**
 * The broker plugin that applies {@link ConnectedDevices} to what devices send:
 * <ul>
 * <li>before a device's QoS 1 message is stored, takes a token of its bucket; beyond its rate the
 * send is refused as a security failure, which Artemis answers with PUBACK 135 (MQTT 5, rewritten to
 * 151 by {@link DeviceReplies}) or by closing the connection (MQTT 3.1.1), and the message is not
 * stored (QoS 0 and 2 are limited earlier, by {@link DeviceGuard});</li>
 * <li>counts the messages the broker took from each device;</li>
 * <li>releases a device's slot of its organization's cap when its connection is gone (and so reports
 * its end to device presence).</li>
 * </ul>
 */
public final class DeviceLimitsPlugin implements ActiveMQServerPlugin {

    private final ConnectedDevices devices;

    public DeviceLimitsPlugin(ConnectedDevices devices) {
        this.devices = devices;
    }

    @Override
    public void beforeSend(ServerSession session, Transaction tx, Message message, boolean direct, boolean noAutoCreateQueue)
            throws ActiveMQException {
        RemotingConnection connection = mqtt(session);
        if (connection != null && message.getObjectProperty(MQTTUtil.MQTT_QOS_LEVEL_KEY) instanceof Integer qos && qos == 1
                && !devices.tryPublish(connection.getID(), true)) {
            if (!DeviceReplies.isMqtt5(connection)) {
                devices.ending(connection.getID(), DisconnectReason.REFUSED); // MQTT 3.1.1: Artemis closes the connection
            }
            throw new ActiveMQSecurityException("message rate of the device exceeded");
        }
    }

    @Override
    public void afterSend(ServerSession session, Transaction tx, Message message, boolean direct, boolean noAutoCreateQueue,
            RoutingStatus result) {
        RemotingConnection connection = mqtt(session);
        if (connection != null) {
            devices.received(connection.getID());
        }
    }

    @Override
    public void afterDestroyConnection(RemotingConnection connection) {
        devices.release(connection.getID());
    }

    private static RemotingConnection mqtt(ServerSession session) {
        RemotingConnection c = session == null ? null : session.getRemotingConnection();
        return c != null && c.getProtocolName() != null && c.getProtocolName().startsWith("MQTT") ? c : null;
    }
}
