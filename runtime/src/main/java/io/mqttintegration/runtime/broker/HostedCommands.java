package io.mqttintegration.runtime.broker;

import io.mqttintegration.spi.broker.DeviceNamespace;
import io.mqttintegration.spi.broker.RunningBroker;
import io.mqttintegration.storage.tenants.CredentialStore;
import java.util.Optional;
import java.util.UUID;

/**
 * The way from the service to the hosted broker, for commands and configuration sent down to
 * devices: the API's publish ({@code POST /api/v1/integrations/{id}/publish} with
 * {@code "hosted": true}) and the MQTT sinks with {@code hosted: true}. The service makes one and
 * hands it to both and to the broker ({@link HostedParts#attach}); the broker attaches itself when it
 * has started and is detached before it stops, so while the broker feature is not running
 * {@link #publisher()} is empty (the API answers 503, a sink's delivery fails and is retried).
 * Both publish only where {@link #allows} says: one rule for every way down.
 */
public final class HostedCommands {

    private final CredentialStore credentials;
    private volatile RunningBroker current;

    public HostedCommands(CredentialStore credentials) {
        this.credentials = credentials;
    }

    /** The hosted broker while it runs, to publish through. */
    public Optional<RunningBroker> publisher() {
        return Optional.ofNullable(current);
    }

    /**
     * Whether the service may publish to {@code topic} for this integration: a topic name (no
     * wildcard) inside the namespace of one of its live device credentials ({@code devices/<username>}
     * or below), never another integration's or organization's device, nor a revoked one (one indexed
     * lookup of the username).
     */
    public boolean allows(UUID organizationId, UUID integrationId, String topic) {
        String username = username(topic);
        return username != null && topic.indexOf('+') < 0 && topic.indexOf('#') < 0 && DeviceNamespace.allowsTopic(username, topic)
                && credentials.device(username)
                .filter(d -> !d.revoked() && organizationId.equals(d.organizationId()) && integrationId.equals(d.integrationId()))
                .isPresent();
    }

    /** Whether the integration has a live device credential: a namespace anything may be published to. */
    public boolean hasDevices(UUID organizationId, UUID integrationId) {
        return credentials.list(organizationId, integrationId).stream().anyMatch(c -> c.revokedAt() == null);
    }

    /** The username a device topic names ({@code devices/<username>/...}), or null when it names none. */
    static String username(String topic) {
        String prefix = DeviceNamespace.ROOT + "/";
        if (topic == null || !topic.startsWith(prefix)) {
            return null;
        }
        int end = topic.indexOf('/', prefix.length());
        return topic.substring(prefix.length(), end < 0 ? topic.length() : end);
    }

    void attach(RunningBroker broker) {
        current = broker;
    }

    /** Detaches {@code broker} if it is still the attached one (a newer one stays). */
    synchronized void detach(RunningBroker broker) {
        if (current == broker) {
            current = null;
        }
    }
}
