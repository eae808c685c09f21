package io.mqttintegration.runtime.presence;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.runtime.config.PresenceConfig;
import io.mqttintegration.runtime.metrics.DevicesOnline;
import io.mqttintegration.storage.MessageWriter;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.presence.DeviceStore;
import io.mqttintegration.storage.presence.PresenceStore;
import java.time.Clock;

/**
 * Device presence's wiring (docs/devices.md): the engine that keeps it, told of each commit of the
 * writer and of the hosted broker's connections (through {@link #hosted}). With
 * {@code presence.enabled = false} nothing is made: the writer has no listener, the broker's events
 * go nowhere. The gauge of devices online ({@link DevicesOnline}) is made either way: it reads what
 * every node's presence wrote.
 */
public final class PresenceWiring {

    /** What the product starts and stops, and what the hosted broker's side hands its events to. */
    public record Parts(PresenceEngine engine, DevicesOnline online) {

        public HostedPresence hosted() {
            return engine == null ? HostedPresence.NONE : engine;
        }

        /** Once the service runs. */
        public void start() {
            if (engine != null) {
                engine.start();
            }
            online.start(DevicesOnline.REFRESH);
        }

        /** After the pipeline has committed what it held (so that the last flush has its last seen). */
        public void close() {
            online.close();
            if (engine != null) {
                engine.close();
            }
        }
    }

    private PresenceWiring() {
    }

    /** @param node this node's id (mqtt.nodeId, or the one generated and kept) */
    public static Parts wire(PresenceConfig config, Tenancy tenancy, MessageWriter writer, String node, MeterRegistry meters) {
        DevicesOnline online = new DevicesOnline(meters, new DeviceStore(tenancy));
        if (!config.enabled()) {
            return new Parts(null, online);
        }
        PresenceEngine engine = new PresenceEngine(new PresenceStore(tenancy), config, node, new PresenceMeters(meters), Clock.systemUTC());
        writer.onCommit(engine.tracker());
        return new Parts(engine, online);
    }
}
