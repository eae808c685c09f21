package io.mqttintegration.runtime.broker;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.runtime.config.ProductConfig;
import io.mqttintegration.runtime.ingest.IngestQueue;
import io.mqttintegration.runtime.presence.HostedPresence;
import io.mqttintegration.runtime.quotas.Quotas;
import io.mqttintegration.security.DevicePasswords;
import io.mqttintegration.spi.broker.DeviceLimits;
import io.mqttintegration.security.ServerSecrets;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.CredentialStore;

/**
 * The hosted broker's wiring, on the service's side: what the broker (its own bundle, started
 * after the service) needs, made once with everything it holds, the {@code /metrics} registry too.
 * The API's device credentials and broker commands (the MQTT sinks' way to the broker too) are the
 * same objects.
 */
public final class BrokerWiring {

    private BrokerWiring() {
    }

    /**
     * @param meters   the registry of {@code /metrics}, where the broker's figures go while it runs
     * @param presence where the devices' connections go
     */
    public static HostedParts wire(ProductConfig config, Tenancy tenancy, ServerSecrets secrets, IngestQueue queue, Quotas quotas,
            MeterRegistry meters, HostedPresence presence) {
        CredentialStore credentials = new CredentialStore(tenancy);
        return new HostedParts(credentials, new DeviceAuthenticator(credentials, new DevicePasswords(secrets.hashKey())), queue,
                config.ingest().commitTimeoutMs(), org -> {
            Quotas.DeviceLimits l = quotas.deviceLimits(org);
            return new DeviceLimits(l.connectedDevices(), l.messagesPerSecond());
        }, config.quotas().deviceBurstSeconds(), new HostedCommands(credentials), meters, presence);
    }
}
