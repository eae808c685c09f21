package io.mqttintegration.spi.broker;

import java.time.Instant;

/**
 * One connection of a device to the hosted broker of a node, as device presence records it.
 *
 * @param connectionId  unique across the cluster: the node's id and the broker's connection id
 * @param at            when the broker admitted it
 */
public record DeviceConnection(DeviceIdentity identity, String connectionId, String clientId, String remoteAddress, Instant at) {
}
