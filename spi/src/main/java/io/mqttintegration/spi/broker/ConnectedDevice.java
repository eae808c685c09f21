package io.mqttintegration.spi.broker;

import java.time.Instant;

/**
 * A device connected to the hosted broker, as {@code mqtt:device-list} shows it.
 *
 * @param received messages the broker took from it on this connection
 */
public record ConnectedDevice(DeviceIdentity identity, String clientId, String remoteAddress, Instant since, long received) {
}
