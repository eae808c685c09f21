package io.mqttintegration.spi.broker;

import java.util.Locale;

/** Why a device's connection to the hosted broker ended (the {@code reason} of its offline transition). */
public enum DisconnectReason {
    /** The device sent DISCONNECT. */
    CLIENT_DISCONNECT,
    /** Nothing came from the device within one and a half times its keep-alive. */
    KEEP_ALIVE_TIMEOUT,
    /** The network connection closed or failed without a DISCONNECT. */
    CONNECTION_LOST,
    /** A new connection with the same client id took its session over. */
    TAKEN_OVER,
    /** Its credential was revoked or deleted. */
    REVOKED,
    /** The broker closed it for something it sent (over its message rate, outside its namespace). */
    REFUSED,
    /** The node's broker stopped. */
    NODE_STOPPED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
