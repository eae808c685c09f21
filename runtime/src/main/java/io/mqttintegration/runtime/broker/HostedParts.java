package io.mqttintegration.runtime.broker;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.runtime.ingest.IngestQueue;
import io.mqttintegration.security.DevicePasswords;
import io.mqttintegration.storage.tenants.CredentialStore;
import java.util.UUID;
import java.util.function.Function;

/**
 * What the hosted broker needs of the running service: the device credentials, how their passwords
 * are hashed, and the ingestion queue (with how long a commit may take); each organization's limits
 * on the broker with the burst of a device's rate ({@code quotas.deviceBurstSeconds}); the API's way
 * to the broker ({@link HostedCommands}: the broker attaches its publisher while it runs); and the
 * registry of {@code /metrics} the broker's figures go into while it runs.
 */
public record HostedParts(CredentialStore credentials, DevicePasswords passwords, IngestQueue queue, long commitTimeoutMs,
        Function<UUID, ConnectedDevices.Limits> deviceLimits, int deviceBurstSeconds, HostedCommands commands,
        MeterRegistry meters) {
}
