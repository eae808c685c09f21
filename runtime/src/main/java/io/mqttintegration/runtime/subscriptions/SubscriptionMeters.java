package io.mqttintegration.runtime.subscriptions;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The state of each persistent subscription as gauges ({@code mqi_subscription_state}, 1 for its
 * state), refreshed before each scrape. States are read once into a snapshot that the gauges read; a
 * subscription's gauges are registered when it first shows and removed when it is gone, not
 * re-registered at every scrape (with 2,000 subscriptions that is 10,000 gauges, and a reconnect
 * storm is when operators scrape most).
 */
public final class SubscriptionMeters {

    private final MeterRegistry registry;
    private final Supplier<Map<UUID, SubscriptionStatus>> subscriptions;
    /** Each subscription's state at the last scrape, read by its gauges. */
    private volatile Map<UUID, SubscriptionStatus.State> states = Map.of();
    /** The gauges of each subscription seen (one per state); guarded by {@code this}. */
    private final Map<UUID, List<Gauge>> gauges = new HashMap<>();

    /** @param subscriptions the state of each persistent subscription, read at each scrape */
    public SubscriptionMeters(MeterRegistry registry, Supplier<Map<UUID, SubscriptionStatus>> subscriptions) {
        this.registry = registry;
        this.subscriptions = subscriptions;
    }

    /** Before a scrape: the states now, gauges for new subscriptions, none for those gone. */
    public synchronized void refresh() {
        Map<UUID, SubscriptionStatus.State> now = new HashMap<>();
        subscriptions.get().forEach((id, status) -> now.put(id, status.state()));
        states = now;
        for (UUID id : now.keySet()) {
            gauges.computeIfAbsent(id, this::gauges);
        }
        gauges.entrySet().removeIf(e -> {
            if (now.containsKey(e.getKey())) {
                return false;
            }
            e.getValue().forEach(registry::remove);
            return true;
        });
    }

    private List<Gauge> gauges(UUID id) {
        List<Gauge> list = new ArrayList<>();
        for (SubscriptionStatus.State state : SubscriptionStatus.State.values()) {
            list.add(Gauge.builder("mqi.subscription.state", this, m -> m.states.get(id) == state ? 1 : 0)
                    .description("The state of each persistent subscription (1 for its state).")
                    .tags("integration", id.toString(), "state", state.name().toLowerCase(Locale.ROOT)).register(registry));
        }
        return list;
    }
}
