package io.mqttintegration.runtime.presence;

import io.mqttintegration.spi.broker.DeviceConnection;
import io.mqttintegration.spi.broker.DisconnectReason;
import java.util.UUID;

/**
 * What the hosted broker's side of the service ({@code HostedParts}) hands to device presence: its
 * connection events, queued and written in batches (never on the broker's thread), and the devices
 * of an organization connected to the other nodes, as the last sweep counted them.
 */
public interface HostedPresence {

    /** Presence off ({@code presence.enabled = false}): nothing is recorded, no device counts elsewhere. */
    HostedPresence NONE = new HostedPresence() {
        @Override
        public void connected(DeviceConnection connection) {
        }

        @Override
        public void disconnected(DeviceConnection connection, DisconnectReason reason, boolean willPublished) {
        }

        @Override
        public int connectedElsewhere(UUID organizationId) {
            return 0;
        }

        @Override
        public void flush() {
        }
    };

    void connected(DeviceConnection connection);

    void disconnected(DeviceConnection connection, DisconnectReason reason, boolean willPublished);

    int connectedElsewhere(UUID organizationId);

    /** Writes what is queued now, before it returns (the broker stopping: its node_stopped events). */
    void flush();
}
