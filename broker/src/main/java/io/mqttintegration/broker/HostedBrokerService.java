package io.mqttintegration.broker;

import io.mqttintegration.spi.broker.ConnectedDevice;
import io.mqttintegration.spi.broker.HostedService;
import io.mqttintegration.spi.broker.Refusal;
import io.mqttintegration.spi.broker.RunningBroker;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hosted broker with its ingest consumer, its publisher and its revocation check, started and
 * stopped together (in Karaf by {@link BrokerComponent}), and attached to the service
 * ({@link HostedService#attach}) while it runs.
 */
public final class HostedBrokerService implements RunningBroker, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostedBrokerService.class);

    private final HostedBroker broker;
    private final HostedIngest ingest;
    private final HostedPublisher publisher;
    private volatile AutoCloseable attached;

    private HostedBrokerService(HostedBroker broker, HostedIngest ingest, HostedPublisher publisher) {
        this.broker = broker;
        this.ingest = ingest;
        this.publisher = publisher;
    }

    /** Null when {@code broker.enabled} is false. */
    public static HostedBrokerService start(BrokerConfig config, HostedService service) throws Exception {
        if (!config.enabled()) {
            LOG.info("The hosted MQTT broker is disabled (broker.enabled = false)");
            return null;
        }
        ConnectedDevices connected = new ConnectedDevices(service::deviceLimits, service.deviceBurstSeconds(), Clock.systemUTC(),
                System::nanoTime, service);
        HostedBroker broker = new HostedBroker(config, service, connected);
        HostedIngest ingest = null;
        HostedPublisher publisher = null;
        try {
            broker.start();
            ingest = new HostedIngest(broker, new HostedMessages(service::owner), service, config.ingestBatch(),
                    config.ingestConsumers(), service.commitTimeoutMs());
            ingest.start();
            broker.closeRevokedSessions(service::revokedAmong);
            publisher = new HostedPublisher(broker);
            publisher.start();
            HostedBrokerService running = new HostedBrokerService(broker, ingest, publisher);
            running.attached = service.attach(running);
            return running;
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

    @Override
    public void publish(String topic, byte[] payload, int qos, boolean retain, String contentType,
            List<Map.Entry<String, String>> userProperties) throws Exception {
        publisher.publish(topic, payload, qos, retain, contentType, userProperties);
    }

    @Override
    public List<ConnectedDevice> devices() {
        return broker.connected().devices();
    }

    @Override
    public int connected() {
        return broker.connected().connected();
    }

    @Override
    public Map<UUID, Integer> connectedByOrganization() {
        return broker.connected().connectedByOrganization();
    }

    @Override
    public void onOrganization(Consumer<UUID> listener) {
        broker.connected().onOrganization(listener);
    }

    @Override
    public long received() {
        return broker.connected().received();
    }

    @Override
    public long refusals(Refusal reason) {
        return broker.connected().refusals(reason);
    }

    @Override
    public long ingestQueueMessages() {
        return broker.ingestQueueMessages();
    }

    /**
     * Every connected device reported gone (node_stopped) and detached from the service, which writes
     * those ends before the handle's close returns (the API's publishing answers 503 from then on);
     * then the publisher, the consumer (it finishes its round: what it took is committed and
     * acknowledged), and the broker.
     */
    @Override
    public void close() {
        broker.connected().stopping();
        AutoCloseable handle = attached;
        attached = null;
        if (handle != null) {
            try {
                handle.close();
            } catch (Exception e) {
                LOG.warn("Detaching the hosted broker from the service: {}", e.toString());
            }
        }
        publisher.close();
        ingest.close();
        broker.close();
    }
}
