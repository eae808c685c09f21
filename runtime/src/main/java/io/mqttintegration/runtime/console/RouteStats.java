package io.mqttintegration.runtime.console;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Exchanges per route (total, failed, the last failure) for {@code mqtt:route-list}. Camel keeps
 * such statistics only through JMX, which the service does not expose, so a route policy on
 * every route counts them. A failure is an exchange that ended with an exception, or whose
 * exception an error handler caught (a 400 answer, a dead letter). Counts survive a reload.
 */
public final class RouteStats implements RoutePolicyFactory {

    /** What one route did since start. */
    public static final class Counts {
        final LongAdder total = new LongAdder();
        final LongAdder failed = new LongAdder();
        final AtomicReference<String> lastFailure = new AtomicReference<>();

        public long total() {
            return total.sum();
        }

        public long failed() {
            return failed.sum();
        }

        /** "time: exception message", or null. */
        public String lastFailure() {
            return lastFailure.get();
        }
    }

    private final Map<String, Counts> routes = new ConcurrentHashMap<>();

    public Counts of(String routeId) {
        return routes.computeIfAbsent(routeId, id -> new Counts());
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
        Counts counts = of(routeId);
        return new RoutePolicySupport() {
            @Override
            public void onExchangeDone(Route r, Exchange exchange) {
                counts.total.increment();
                Throwable failure = exchange.getException() != null ? exchange.getException()
                        : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
                if (failure != null) {
                    counts.failed.increment();
                    counts.lastFailure.set(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + ": " + failure.getClass().getSimpleName() + ": "
                            + failure.getMessage());
                }
            }
        };
    }
}
