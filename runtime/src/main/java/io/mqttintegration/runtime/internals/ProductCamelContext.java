package io.mqttintegration.runtime.internals;

import org.apache.camel.impl.DefaultCamelContext;

/**
 * Camel's context, made to add a route in time independent of how many routes there are.
 *
 * <p>Camel 4.14 adds a route definition by first removing any route with its id, and
 * {@code AbstractCamelContext.removeRoute} starts by collecting the endpoints of every route of
 * the context (to know which of the removed route's endpoints no other route uses) before it looks
 * whether the route exists. With one route per subscription that made every subscribe cost a walk
 * over all the others: on the assembly, 2,000 subscriptions connected at ~29 per second, and a CPU
 * profile of that phase had 24 % of the JVM in that walk for routes that did not exist. Here a route
 * that does not exist is not removed, as before, only without the walk. Routes that exist are
 * removed by Camel as always.
 *
 * <p>Upstream: Camel 4.14.0, {@code AbstractCamelContext.removeRoute(String)} (behaviour, no issue
 * filed). Re-check on a Camel upgrade ({@code UpstreamVersionsTest} fails then).
 *
 * <p>The route services are read without Camel's lock: the service changes routes one at a time
 * ({@link RouteTransitions}), and Camel itself only at the context's start and stop.
 */
public final class ProductCamelContext extends DefaultCamelContext {

    @Override
    public boolean removeRoute(String routeId) throws Exception {
        if (routeId == null || !getRouteServices().containsKey(routeId)) {
            return false;
        }
        return super.removeRoute(routeId);
    }
}
