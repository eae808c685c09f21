package io.mqttintegration.runtime.console;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.ExchangeHelper;
import org.apache.camel.support.RoutePolicySupport;

/**
 * The last failure of each route, for the LAST FAILURE column of {@code mqtt:route-list}: Camel's
 * Micrometer policy counts failures but keeps no text. A failure is what those counters count: an
 * exchange that ended with an exception, or whose exception an error handler handled (a 4xx answer,
 * a dead letter). Kept by route id, so it survives a reload.
 */
public final class LastFailures implements RoutePolicyFactory {

    private final Map<String, String> last = new ConcurrentHashMap<>();
    private final Clock clock;

    public LastFailures(Clock clock) {
        this.clock = clock;
    }

    /** "time: exception type: message" of the route's last failure, or null. */
    public String of(String routeId) {
        return last.get(routeId);
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
        return new RoutePolicySupport() {
            @Override
            public void onExchangeDone(Route r, Exchange exchange) {
                Throwable failure = failure(exchange);
                if (failure != null) {
                    last.put(routeId, clock.instant().truncatedTo(ChronoUnit.SECONDS) + ": " + failure.getClass().getSimpleName() + ": "
                            + failure.getMessage());
                }
            }
        };
    }

    private static Throwable failure(Exchange exchange) {
        if (exchange.getException() != null) {
            return exchange.getException();
        }
        return ExchangeHelper.isFailureHandled(exchange) ? exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, Throwable.class)
                : null;
    }
}
