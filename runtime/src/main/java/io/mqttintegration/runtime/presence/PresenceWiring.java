package io.mqttintegration.runtime.presence;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.runtime.config.PresenceConfig;
import io.mqttintegration.storage.MessageWriter;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.presence.PresenceStore;
import java.time.Clock;

/**
 * Device presence's wiring (docs/devices.md): the engine that keeps it, told of each commit of the
 * writer and of the hosted broker's connections (through {@link #hosted}). With
 * {@code presence.enabled = false} nothing is made: the writer has no listener, the broker's events
 * go nowhere.
 */
public final class PresenceWiring {

    /** What the product starts and stops, and what the hosted broker's side hands its events to. */
    public record Parts(PresenceEngine engine) {

        public HostedPresence hosted() {
            return engine == null ? HostedPresence.NONE : engine;
        }

        /** Once the service runs. */
        public void start() {
            if (engine != null) {
                engine.start();
            }
        }

        /** After the pipeline has committed what it held. */
        public void close() {
            if (engine != null) {
                engine.close();
            }
        }
    }

    private PresenceWiring() {
    }

    /** @param node this node's id (mqtt.nodeId, or the one generated and kept) */
    public static Parts wire(PresenceConfig config, Tenancy tenancy, MessageWriter writer, String node, MeterRegistry meters) {
        if (!config.enabled()) {
            return new Parts(null);
        }
        PresenceEngine engine = new PresenceEngine(new PresenceStore(tenancy), config, node, new PresenceMeters(meters), Clock.systemUTC());
        writer.onCommit(engine.tracker());
        return new Parts(engine);
    }
}
