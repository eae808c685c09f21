package io.mqttintegration.runtime.broker;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.runtime.http.QueueFullException;
import io.mqttintegration.runtime.ingest.IngestQueue;
import io.mqttintegration.runtime.presence.HostedPresence;
import io.mqttintegration.security.DevicePasswords;
import io.mqttintegration.spi.broker.DeviceConnection;
import io.mqttintegration.spi.broker.DeviceIdentity;
import io.mqttintegration.spi.broker.DisconnectReason;
import io.mqttintegration.spi.broker.DeviceLimits;
import io.mqttintegration.spi.broker.DeviceMessage;
import io.mqttintegration.spi.broker.HostedService;
import io.mqttintegration.spi.broker.RunningBroker;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.tenants.CredentialStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * What the hosted broker (its own bundle) needs of the running service, registered as the OSGi
 * service {@link HostedService} while the service runs: the device logins
 * ({@link DeviceAuthenticator}), each organization's limits on the broker with the burst of a
 * device's rate ({@code quotas.deviceBurstSeconds}), the ingestion queue (with how long a commit may
 * take), and, while the broker runs, the API's way to it ({@link HostedCommands}) and its figures in
 * the registry of {@code /metrics} ({@link BrokerMetrics}); the devices' connections go to device
 * presence ({@link HostedPresence}), which also counts those connected to the other nodes.
 */
public final class HostedParts implements HostedService {

    private final CredentialStore credentials;
    private final DeviceAuthenticator devices;
    private final IngestQueue queue;
    private final long commitTimeoutMs;
    private final Function<UUID, DeviceLimits> deviceLimits;
    private final int deviceBurstSeconds;
    private final HostedCommands commands;
    private final MeterRegistry meters;
    private final HostedPresence presence;

    /**
     * @param meters   the registry of {@code /metrics}, or null: no figures
     * @param presence where the devices' connections go ({@link HostedPresence#NONE}: nowhere)
     */
    public HostedParts(CredentialStore credentials, DeviceAuthenticator devices, IngestQueue queue, long commitTimeoutMs,
            Function<UUID, DeviceLimits> deviceLimits, int deviceBurstSeconds, HostedCommands commands, MeterRegistry meters,
            HostedPresence presence) {
        this.credentials = credentials;
        this.devices = devices;
        this.queue = queue;
        this.commitTimeoutMs = commitTimeoutMs;
        this.deviceLimits = deviceLimits;
        this.deviceBurstSeconds = deviceBurstSeconds;
        this.commands = commands;
        this.meters = meters;
        this.presence = presence;
    }

    @Override
    public Optional<DeviceIdentity> authenticate(String username, String password) {
        return devices.authenticate(username, password);
    }

    @Override
    public Optional<DeviceIdentity> owner(String username) {
        return devices.owner(username);
    }

    @Override
    public Set<String> revokedAmong(Set<String> usernames) {
        return credentials.revokedAmong(usernames);
    }

    @Override
    public DeviceLimits deviceLimits(UUID organizationId) {
        return deviceLimits.apply(organizationId);
    }

    @Override
    public int deviceBurstSeconds() {
        return deviceBurstSeconds;
    }

    @Override
    public long commitTimeoutMs() {
        return commitTimeoutMs;
    }

    /** Queued as one entry, source {@code hosted}, like an HTTP request's messages. */
    @Override
    public List<CompletableFuture<?>> store(List<DeviceMessage> messages) throws io.mqttintegration.spi.broker.QueueFullException {
        List<InboundMessage> inbound = new ArrayList<>(messages.size());
        for (DeviceMessage m : messages) {
            inbound.add(new InboundMessage(InboundMessage.Source.HOSTED, m.topic(), m.payload(), m.contentType(), m.receivedAt(),
                    m.organizationId(), m.integrationId(), m.clientMessageId()));
        }
        try {
            queue.enqueueAll(inbound);
        } catch (QueueFullException full) {
            throw new io.mqttintegration.spi.broker.QueueFullException(full.getMessage());
        }
        return inbound.stream().<CompletableFuture<?>>map(InboundMessage::outcome).toList();
    }

    /**
     * The handle's close (the broker stopping, after it reported its connections as node_stopped)
     * writes the queued connection events before it returns.
     */
    @Override
    public AutoCloseable attach(RunningBroker broker) {
        commands.attach(broker);
        BrokerMetrics metrics = meters == null ? null : new BrokerMetrics(meters, broker);
        return () -> {
            if (metrics != null) {
                metrics.close();
            }
            commands.detach(broker);
            presence.flush();
        };
    }

    @Override
    public void connected(DeviceConnection connection) {
        presence.connected(connection);
    }

    @Override
    public void disconnected(DeviceConnection connection, DisconnectReason reason, boolean willPublished) {
        presence.disconnected(connection, reason, willPublished);
    }

    @Override
    public int connectedElsewhere(UUID organizationId) {
        return presence.connectedElsewhere(organizationId);
    }

    /** The API's way to the broker (the same object the API holds). */
    public HostedCommands commands() {
        return commands;
    }

    public CredentialStore credentials() {
        return credentials;
    }

    public DevicePasswords passwords() {
        return devices.passwords();
    }
}
