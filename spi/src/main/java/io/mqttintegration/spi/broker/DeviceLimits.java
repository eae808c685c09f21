package io.mqttintegration.spi.broker;

/** An organization's limits on the hosted broker: devices connected at once, and messages per second per device. */
public record DeviceLimits(int connectedDevices, int messagesPerSecond) {
}
