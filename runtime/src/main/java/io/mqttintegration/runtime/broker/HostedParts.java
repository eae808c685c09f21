package io.mqttintegration.runtime.broker;

import io.mqttintegration.runtime.ingest.IngestQueue;
import io.mqttintegration.security.DevicePasswords;
import io.mqttintegration.storage.tenants.CredentialStore;

/**
 * What the hosted broker needs of the running service: the device credentials, how their passwords
 * are hashed, the ingestion queue (with how long a commit may take), and the API's way to the broker
 * ({@link HostedCommands}: the broker attaches its publisher while it runs).
 */
public record HostedParts(CredentialStore credentials, DevicePasswords passwords, IngestQueue queue, long commitTimeoutMs,
        HostedCommands commands) {
}
