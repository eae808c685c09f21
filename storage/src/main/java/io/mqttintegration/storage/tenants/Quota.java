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
    PUBLISH_PER_SECOND("publishPerSecond");

    private final String key;

    Quota(String key) {
        this.key = key;
    }

    /** The name in the API, the PID ({@code quotas.<key>}) and errors. */
    public String key() {
        return key;
    }

    /** The quotas that count rows (all but the publish rate). */
    public boolean counted() {
        return this != PUBLISH_PER_SECOND;
    }
}
