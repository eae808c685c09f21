package io.mqttintegration.runtime.routes;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Routes being stopped, removed, replaced or added on purpose (a subscription stopped or restarted,
 * a route file reloaded). While a route is marked here, a state other than Started is the service's
 * own doing, not a failure: {@code /health} does not count it against the node.
 *
 * <p>It also makes those changes one at a time, node-wide: Camel's route model is not safe for
 * concurrent changes (with four threads adding subscription routes from the template, about one
 * add in forty failed with a {@code ConcurrentModificationException} in
 * {@code RouteDefinitionHelper.validateUniqueIds}, or in the registry, a plain map, while
 * resolving its endpoint). Beans bound or unbound with a route go in the same {@code work}.
 */
public final class RouteTransitions {

    private final Map<String, Integer> marked = new ConcurrentHashMap<>();
    private final ReentrantLock changing = new ReentrantLock();

    /** Marks the route for the duration of {@code work} (nested marks of one route are counted). */
    public <E extends Exception> void during(String routeId, Work<E> work) throws E {
        during(List.of(routeId), work);
    }

    /**
     * Marks the routes for the duration of {@code work}, which runs while no other thread changes
     * routes through this object (the same thread may nest).
     */
    public <E extends Exception> void during(Collection<String> routeIds, Work<E> work) throws E {
        routeIds.forEach(id -> marked.merge(id, 1, Integer::sum));
        changing.lock();
        try {
            work.run();
        } finally {
            changing.unlock();
            routeIds.forEach(id -> marked.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1));
        }
    }

    public boolean inTransition(String routeId) {
        return marked.containsKey(routeId);
    }

    /** What is done while the route is marked. */
    @FunctionalInterface
    public interface Work<E extends Exception> {
        void run() throws E;
    }
}
