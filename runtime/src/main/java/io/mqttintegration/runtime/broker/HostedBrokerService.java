package io.mqttintegration.runtime.broker;

import io.mqttintegration.runtime.config.BrokerConfig;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hosted broker with its ingest consumer and its revocation check, started and stopped together
 * (in Karaf by {@link io.mqttintegration.runtime.osgi.BrokerComponent}).
 */
public final class HostedBrokerService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostedBrokerService.class);

    private final HostedBroker broker;
    private final HostedIngest ingest;
    private final HostedPublisher publisher;
    private final HostedCommands commands;
    private final BrokerMetrics metrics;

    private HostedBrokerService(HostedBroker broker, HostedIngest ingest, HostedPublisher publisher, HostedCommands commands,
            BrokerMetrics metrics) {
        this.broker = broker;
        this.ingest = ingest;
        this.publisher = publisher;
        this.commands = commands;
        this.metrics = metrics;
    }

    /** Null when {@code broker.enabled} is false. */
    public static HostedBrokerService start(BrokerConfig config, HostedParts parts) throws Exception {
        if (!config.enabled()) {
            LOG.info("The hosted MQTT broker is disabled (broker.enabled = false)");
            return null;
        }
        DeviceAuthenticator devices = new DeviceAuthenticator(parts.credentials(), parts.passwords());
        ConnectedDevices connected = new ConnectedDevices(parts.deviceLimits(), parts.deviceBurstSeconds(), Clock.systemUTC(),
                System::nanoTime);
        HostedBroker broker = new HostedBroker(config, devices, connected);
        HostedIngest ingest = null;
        HostedPublisher publisher = null;
        try {
            broker.start();
            ingest = new HostedIngest(broker, new HostedMessages(devices::owner), parts.queue()::enqueueAll, config.ingestBatch(),
                    config.ingestConsumers(),
                    parts.commitTimeoutMs());
            ingest.start();
            broker.closeRevokedSessions(parts.credentials()::revokedAmong);
            publisher = new HostedPublisher(broker);
            publisher.start();
            parts.commands().attach(publisher);
            return new HostedBrokerService(broker, ingest, publisher, parts.commands(),
                    parts.meters() == null ? null : new BrokerMetrics(parts.meters(), broker));
        } catch (Exception | Error e) {
            if (publisher != null) {
                publisher.close();
            }
            if (ingest != null) {
                ingest.close();
            }
            broker.close();
            throw e;
        }
    }

    public HostedBroker broker() {
        return broker;
    }

    /**
     * The API's publisher first (publishing answers 503 from then on), the consumer next (it finishes
     * its round: what it took is committed and acknowledged), then the broker.
     */
    @Override
    public void close() {
        commands.detach(publisher);
        publisher.close();
        if (metrics != null) {
            metrics.close();
        }
        ingest.close();
        broker.close();
    }
}
