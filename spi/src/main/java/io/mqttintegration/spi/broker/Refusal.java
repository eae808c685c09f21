package io.mqttintegration.spi.broker;

import java.util.Locale;

/** Why the hosted broker refused a device something (the {@code reason} label of {@code mqi_broker_refused_total}). */
public enum Refusal {
    /** CONNECT over the organization's connected-device cap. */
    DEVICE_CAP,
    /** A PUBLISH over the device's message rate. */
    RATE,
    /** A PUBLISH or SUBSCRIBE outside the device's namespace. */
    NOT_AUTHORIZED,
    /** CONNECT with an unknown username, a wrong password or a revoked credential. */
    BAD_LOGIN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
