package io.mqttintegration.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Camel's route policy as the service configures it, on a bare CamelContext (no product): names, what counts, reloads. */
class RouteMetricsTest {

    static final String LABELS = "{camelContext=\"metrics-test\",eventType=\"route\",kind=\"CamelRoute\",routeId=\"r\"}";

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CamelContext context;
    ProducerTemplate template;

    /** Route r: "ok" succeeds, "bad" is answered by a handled onException (as http-errors does), "bug" fails. */
    static RouteBuilder route() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                onException(IllegalArgumentException.class).handled(true).setBody(constant("refused"));
                from("direct:r").routeId("r").choice()
                        .when(body().isEqualTo("bad")).throwException(new IllegalArgumentException("bad input"))
                        .when(body().isEqualTo("bug")).throwException(new IllegalStateException("a bug"))
                        .end();
                from("direct:u").routeId("uncounted-1").setBody(constant("not counted"));
            }
        };
    }

    @BeforeEach
    void start() throws Exception {
        context = new DefaultCamelContext();
        context.getCamelContextExtension().setName("metrics-test");
        context.addRoutePolicyFactory(new RouteMetrics(registry, id -> !id.startsWith("uncounted")));
        context.addRoutes(route());
        context.start();
        template = context.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        context.stop();
        registry.close();
    }

    void send(String... bodies) {
        for (String body : bodies) {
            template.send("direct:r", (Exchange e) -> e.getMessage().setBody(body));
        }
    }

    static double value(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + series + " in\n" + scrape));
    }

    @Test
    void countsEachRoutesExchangesUnderCamelsPrometheusNames() {
        send("ok", "ok", "bad", "bug");

        String scrape = registry.scrape();
        System.out.println(scrape.lines().filter(l -> l.startsWith("camel")).reduce("", (a, b) -> a + b + "\n"));
        assertEquals(4, value(scrape, "camel_exchanges_total" + LABELS), scrape);
        assertEquals(1, value(scrape, "camel_exchanges_failed_total" + LABELS), "ended with an exception: " + scrape);
        assertEquals(1, value(scrape, "camel_exchanges_failures_handled_total" + LABELS), "handled by onException: " + scrape);
        assertEquals(4, value(scrape, "camel_route_policy_seconds_count" + LABELS), scrape);
        assertEquals(new RouteCounts.Counts(4, 2), new RouteCounts(registry).of("r"), "the console's FAILED is both");
    }

    @Test
    void recordsOnlyWhatTheConsoleAndTheScrapeUse() {
        send("ok");

        List<String> names = registry.getMeters().stream().map(m -> m.getId().getName()).distinct().sorted().toList();
        assertEquals(List.of("camel.exchanges.failed", "camel.exchanges.failures.handled", "camel.exchanges.total", "camel.route.policy"),
                names, "no context-wide series, no succeeded or external-redelivery counters, no app.info");
        assertFalse(registry.scrape().contains("routeId=\"\""), "nothing for the whole context");
    }

    @Test
    void countsGoOnWhenTheRouteIsRemovedAndAddedAgain() throws Exception {
        send("ok", "bug");
        // What a route file reload does: the route goes, then comes back with the same id.
        context.getRouteController().stopRoute("r");
        assertTrue(context.removeRoute("r"));
        assertEquals(new RouteCounts.Counts(2, 1), new RouteCounts(registry).of("r"), "kept while the route is away");
        context.addRoutes(route());

        send("ok");
        assertEquals(new RouteCounts.Counts(3, 1), new RouteCounts(registry).of("r"), "Camel's own policy would start again at 0");
        assertEquals(3, value(registry.scrape(), "camel_exchanges_total" + LABELS));
    }

    @Test
    void routesTheFactoryIsToldNotToCountGetNoSeries() {
        template.sendBody("direct:u", "x");
        assertFalse(registry.scrape().contains("uncounted-1"), registry.scrape());
        assertEquals(RouteCounts.Counts.NONE, new RouteCounts(registry).of("uncounted-1"));
    }
}
