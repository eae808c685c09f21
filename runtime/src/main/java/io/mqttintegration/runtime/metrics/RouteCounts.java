package io.mqttintegration.runtime.metrics;

import static org.apache.camel.component.micrometer.MicrometerConstants.DEFAULT_CAMEL_ROUTE_POLICY_EXCHANGES_FAILED_METER_NAME;
import static org.apache.camel.component.micrometer.MicrometerConstants.DEFAULT_CAMEL_ROUTE_POLICY_EXCHANGES_FAILURES_HANDLED_METER_NAME;
import static org.apache.camel.component.micrometer.MicrometerConstants.DEFAULT_CAMEL_ROUTE_POLICY_EXCHANGES_TOTAL_METER_NAME;
import static org.apache.camel.component.micrometer.MicrometerConstants.KIND;
import static org.apache.camel.component.micrometer.MicrometerConstants.KIND_ROUTE;
import static org.apache.camel.component.micrometer.MicrometerConstants.ROUTE_ID_TAG;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.Map;

/**
 * The exchanges of each route, read from the counters {@link RouteMetrics} records: total, and
 * failed, which is {@code camel.exchanges.failed} (ended with an exception) plus
 * {@code camel.exchanges.failures.handled} (an error handler handled the exception).
 */
public final class RouteCounts {

    /** What one route did since the service started. */
    public record Counts(long total, long failed) {
        public static final Counts NONE = new Counts(0, 0);
    }

    private final MeterRegistry registry;

    public RouteCounts(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Every counted route by id, read in one pass over each counter's series. */
    public Map<String, Counts> byRoute() {
        Map<String, long[]> sums = new HashMap<>();
        add(sums, DEFAULT_CAMEL_ROUTE_POLICY_EXCHANGES_TOTAL_METER_NAME, 0);
        add(sums, DEFAULT_CAMEL_ROUTE_POLICY_EXCHANGES_FAILED_METER_NAME, 1);
        add(sums, DEFAULT_CAMEL_ROUTE_POLICY_EXCHANGES_FAILURES_HANDLED_METER_NAME, 1);
        Map<String, Counts> counts = new HashMap<>();
        sums.forEach((route, s) -> counts.put(route, new Counts(s[0], s[1])));
        return counts;
    }

    /** One route's counts ({@link Counts#NONE} before its first exchange or for an unknown id). */
    public Counts of(String routeId) {
        return byRoute().getOrDefault(routeId, Counts.NONE);
    }

    private void add(Map<String, long[]> sums, String meter, int slot) {
        for (Counter counter : registry.find(meter).tag(KIND, KIND_ROUTE).counters()) {
            String route = counter.getId().getTag(ROUTE_ID_TAG);
            if (route != null && !route.isEmpty()) {
                sums.computeIfAbsent(route, r -> new long[2])[slot] += (long) counter.count();
            }
        }
    }
}
