package io.mqttintegration.runtime.metrics;

import io.mqttintegration.runtime.storage.StorageMaintenance;
import java.util.function.Predicate;
import org.apache.camel.CamelContext;

/**
 * The metrics' wiring: the {@code /metrics} registry (bean {@code metrics}) every area binds its own
 * meters into, storage's figures, each HTTP request's status and time, and the exchanges per route.
 */
public final class MetricsWiring {

    private MetricsWiring() {
    }

    /** @param measured the ids of the routes whose exchanges are counted (on every route, so before the first is added) */
    public static Metrics wire(CamelContext context, StorageMaintenance storage, Predicate<String> measured) {
        Metrics metrics = new Metrics();
        StorageMetrics.register(metrics.registry(), storage);
        context.getRegistry().bind("metrics", metrics);
        context.getManagementStrategy().addEventNotifier(new HttpRequestMetrics(metrics));
        context.addRoutePolicyFactory(new RouteMetrics(metrics.registry(), measured));
        return metrics;
    }
}
