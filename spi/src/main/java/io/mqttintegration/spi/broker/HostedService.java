package io.mqttintegration.spi.broker;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * What the hosted broker (bundle {@code io.mqttintegration.broker}) needs of the running service
 * (bundle {@code io.mqttintegration.runtime}), which registers it as an OSGi service while it runs:
 * the device logins, each organization's limits, the ingest pipeline, and a place to attach the
 * running broker so that the API publishes through it and {@code /metrics} shows its figures.
 */
public interface HostedService {

    /** The device, or empty for an unknown username, a wrong password or a revoked credential. */
    Optional<DeviceIdentity> authenticate(String username, String password);

    /** Who a username belongs to, revoked or not: whose the messages it published before are. */
    Optional<DeviceIdentity> owner(String username);

    /** Those of {@code usernames} whose credential was revoked or deleted. */
    Set<String> revokedAmong(Set<String> usernames);

    DeviceLimits deviceLimits(UUID organizationId);

    /** Seconds of a device's message rate it may send at once ({@code quotas.deviceBurstSeconds}). */
    int deviceBurstSeconds();

    /** How long a commit may take ({@code ingest.commitTimeoutMs}). */
    long commitTimeoutMs();

    /**
     * Queues the messages for the pipeline (parse, batch, commit). The futures, in the order of
     * {@code messages}, complete when a message is committed or kept as a dead letter, and
     * exceptionally when it was not stored.
     *
     * @throws QueueFullException when the queue has no room: nothing was queued
     */
    List<CompletableFuture<?>> store(List<DeviceMessage> messages) throws QueueFullException;

    /**
     * The broker has started: the service publishes through it and shows its figures until the
     * returned handle is closed (before the broker stops).
     */
    AutoCloseable attach(RunningBroker broker);

    /** Device presence: the broker admitted a device's connection on this node. */
    default void connected(DeviceConnection connection) {
    }

    /**
     * Device presence: a connection {@link #connected} before ended.
     *
     * @param willPublished the broker published the device's last will (an unclean end of a session that set one)
     */
    default void disconnected(DeviceConnection connection, DisconnectReason reason, boolean willPublished) {
    }

    /**
     * Devices of the organization connected to the other nodes' brokers of the cluster, as last
     * counted (device presence): with this node's own, what the organization's cap is held to.
     */
    default int connectedElsewhere(UUID organizationId) {
        return 0;
    }
}
