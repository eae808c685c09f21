package io.mqttintegration.runtime.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicy;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyConfiguration;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.spi.RoutePolicy;
import java.util.function.Predicate;

/**
 * Camel's Micrometer route policy on every route, recording into the registry {@code GET /metrics}
 * writes. Per route, tagged {@code routeId}: the counters {@code camel.exchanges.total},
 * {@code camel.exchanges.failed} (ended with an exception) and {@code camel.exchanges.failures.handled}
 * (an error handler handled the exception: a 4xx/5xx answer, a dead letter), and the timer
 * {@code camel.route.policy}, which the policy always keeps. Not recorded: the same again for the
 * whole context, succeeded exchanges, external redeliveries, long tasks and {@code app.info}.
 *
 * <p>Camel's policy removes a route's meters when the route is removed, so a route file reload
 * (its routes removed, then added with the same ids) or a subscription restart would start its
 * counts again from 0. Here they stay: the route added again registers the same meters and goes on
 * counting. A route removed for good keeps its last values until the service restarts.
 */
public final class RouteMetrics extends MicrometerRoutePolicyFactory {

    private final Predicate<String> counted;

    /**
     * @param counted the routes to count, by id: not the subscriptions' routes, one per integration
     *        (thousands, made and removed as integrations come and go; their messages are counted
     *        per integration by {@link Metrics}), whose series would otherwise pile up in every scrape
     *        and add a timer to every MQTT message
     */
    public RouteMetrics(MeterRegistry registry, Predicate<String> counted) {
        this.counted = counted;
        setMeterRegistry(registry);
        // app.info would say "Main" for the runtime: not Karaf's bundle, so left out.
        setSkipCamelInfo(true);
        MicrometerRoutePolicyConfiguration recorded = new MicrometerRoutePolicyConfiguration();
        // The context-wide timer and counters would double the work of every exchange.
        recorded.setContextEnabled(false);
        recorded.setExchangesSucceeded(false);
        recorded.setExternalRedeliveries(false);
        setPolicyConfiguration(recorded);
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
        if (!counted.test(routeId)) {
            return null;
        }
        MicrometerRoutePolicy policy = new MetersOutliveRoute(this);
        policy.setMeterRegistry(getMeterRegistry());
        policy.setSkipCamelInfo(isSkipCamelInfo());
        policy.setDurationUnit(getDurationUnit());
        policy.setNamingStrategy(getNamingStrategy());
        policy.setConfiguration(getPolicyConfiguration());
        return policy;
    }

    /** Camel's policy, except that the route's meters stay in the registry when the route goes. */
    private static final class MetersOutliveRoute extends MicrometerRoutePolicy {

        MetersOutliveRoute(MicrometerRoutePolicyFactory factory) {
            super(factory);
        }

        @Override
        public void onRemove(Route route) {
            // Kept: the same route id added again goes on with the same counters.
        }
    }
}
