package io.mqttintegration.storage.tenants;

/** The per-organization quotas, in the order of their columns on {@code organizations}. */
public enum Quota {
    /** Integrations an organization may have. */
    INTEGRATIONS("integrations"),
    /** Subscriptions stored for its enabled integrations (each holds a broker connection). */
    SUBSCRIPTIONS("subscriptions"),
    /** Device credentials that are not revoked. */
    CREDENTIALS("credentials"),
    /** Messages per second each of its integrations may publish. */
    PUBLISH_PER_SECOND("publishPerSecond"),
    /** Its devices connected to the hosted broker at once (counted live by the broker, per node). */
    CONNECTED_DEVICES("connectedDevices"),
    /** Messages per second each of its connected devices may publish to the hosted broker. */
    DEVICE_MESSAGES_PER_SECOND("deviceMessagesPerSecond");

    private final String key;

    Quota(String key) {
        this.key = key;
    }

    /** The name in the API, the PID ({@code quotas.<key>}) and errors. */
    public String key() {
        return key;
    }

    /** The quotas that count rows of the database (integrations, subscriptions, credentials). */
    public boolean counted() {
        return this == INTEGRATIONS || this == SUBSCRIPTIONS || this == CREDENTIALS;
    }
}
