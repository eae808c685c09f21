package io.mqttintegration.runtime.presence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.storage.presence.Transition;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Presence in {@code /metrics}: {@code mqi_device_transitions_total{state,reason}} (the transitions
 * this node recorded: each happens once across the nodes, so the nodes' sums add up), and
 * {@code mqi_presence_dropped_total{kind}} (last seen entries left out of a flush, connection events
 * dropped, at the bound of presence.pendingDevices).
 */
final class PresenceMeters implements AutoCloseable {

    private final MeterRegistry registry;
    private final Map<String, Counter> transitions = new ConcurrentHashMap<>();
    private final List<Meter> meters = new CopyOnWriteArrayList<>();

    PresenceMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    <T> void dropped(String kind, T source, ToDoubleFunction<T> count) {
        if (registry != null) {
            meters.add(FunctionCounter.builder("mqi.presence.dropped", source, count)
                    .description("Presence updates dropped at the bound of presence.pendingDevices.").tag("kind", kind).register(registry));
        }
    }

    void recorded(List<Transition> recorded) {
        if (registry == null) {
            return;
        }
        for (Transition t : recorded) {
            transitions.computeIfAbsent(t.state() + " " + t.reason(), k -> {
                Counter c = Counter.builder("mqi.device.transitions").description("Device presence transitions this node recorded.")
                        .tag("state", t.state()).tag("reason", t.reason()).register(registry);
                meters.add(c);
                return c;
            }).increment();
        }
    }

    @Override
    public void close() {
        if (registry != null) {
            meters.forEach(registry::remove);
        }
        meters.clear();
        transitions.clear();
    }
}
