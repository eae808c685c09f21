package io.mqttintegration.runtime.broker;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.spi.broker.Refusal;
import io.mqttintegration.spi.broker.RunningBroker;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The hosted broker's figures in {@code /metrics}, there while the broker runs (removed when it stops):
 * <ul>
 * <li>{@code mqi_broker_devices} connected devices, and {@code mqi_broker_devices_connected{organization}}
 * per organization (one series for each organization that had a device connected since the start);</li>
 * <li>{@code mqi_broker_messages_received_total} messages the broker took from devices;</li>
 * <li>{@code mqi_broker_ingest_queue_messages} messages in the ingest queue not yet committed;</li>
 * <li>{@code mqi_broker_refused_total{reason}}: {@code device_cap}, {@code rate}, {@code not_authorized},
 * {@code bad_login} ({@link Refusal}).</li>
 * </ul>
 */
public final class BrokerMetrics implements AutoCloseable {

    private final MeterRegistry registry;
    private final RunningBroker devices;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();

    public BrokerMetrics(MeterRegistry registry, RunningBroker broker) {
        this.registry = registry;
        this.devices = broker;
        meters.add(Gauge.builder("mqi.broker.devices", devices, RunningBroker::connected)
                .description("Devices connected to the hosted broker.").register(registry));
        meters.add(FunctionCounter.builder("mqi.broker.messages.received", devices, RunningBroker::received)
                .description("Messages the hosted broker took from devices.").register(registry));
        meters.add(Gauge.builder("mqi.broker.ingest.queue.messages", broker, RunningBroker::ingestQueueMessages)
                .description("Messages in the hosted broker's ingest queue, not yet committed.").register(registry));
        for (Refusal reason : Refusal.values()) {
            meters.add(FunctionCounter.builder("mqi.broker.refused", devices, d -> d.refusals(reason))
                    .description("What the hosted broker refused devices, by reason.").tag("reason", reason.label()).register(registry));
        }
        devices.onOrganization(this::organization);
    }

    private void organization(UUID organizationId) {
        String org = organizationId.toString();
        meters.add(Gauge.builder("mqi.broker.devices.connected", devices, d -> d.connectedByOrganization().getOrDefault(organizationId, 0))
                .description("Devices of an organization connected to the hosted broker.").tag("organization", org).register(registry));
    }

    @Override
    public void close() {
        devices.onOrganization(null);
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
