package io.mqttintegration.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the route counters without Camel: the series Camel's route policy registers, made by hand. */
class RouteCountsTest {

    final MeterRegistry registry = new SimpleMeterRegistry();

    void count(String meter, String routeId, String eventType, double n) {
        Counter.builder(meter).tags("camelContext", "mqtt-integration", "kind", "CamelRoute", "routeId", routeId, "eventType", eventType)
                .register(registry).increment(n);
    }

    @Test
    void failedIsFailedPlusHandledFailures() {
        count("camel.exchanges.total", "http-ingest", "route", 7);
        count("camel.exchanges.failed", "http-ingest", "route", 1);
        count("camel.exchanges.failures.handled", "http-ingest", "route", 2);
        count("camel.exchanges.total", "health", "route", 3);

        RouteCounts counts = new RouteCounts(registry);
        assertEquals(new RouteCounts.Counts(7, 3), counts.of("http-ingest"), "an exception, or one an error handler handled");
        assertEquals(new RouteCounts.Counts(3, 0), counts.of("health"));
        assertEquals(Map.of("http-ingest", new RouteCounts.Counts(7, 3), "health", new RouteCounts.Counts(3, 0)), counts.byRoute());
    }

    @Test
    void aRouteWithoutMetersHasNoExchanges() {
        assertEquals(RouteCounts.Counts.NONE, new RouteCounts(registry).of("not-started-yet"));
    }

    @Test
    void ignoresTheContextWideSeriesAndOtherMeters() {
        count("camel.exchanges.total", "", "context", 9);
        Counter.builder("camel.exchanges.total").tags("kind", "CamelExchangeEvent", "routeId", "r").register(registry).increment(5);
        Counter.builder("mqi.http.requests").tags("route", "r").register(registry).increment();
        count("camel.exchanges.total", "r", "route", 1);

        assertEquals(Map.of("r", new RouteCounts.Counts(1, 0)), new RouteCounts(registry).byRoute());
    }
}
