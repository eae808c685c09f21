package io.mqttintegration.runtime.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The LAST FAILURE of mqtt:route-list, on a bare CamelContext: the failures the route counters count. */
class LastFailuresTest {

    final LastFailures failures = new LastFailures(Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC));
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
            }
        };
    }

    @BeforeEach
    void start() throws Exception {
        context = new DefaultCamelContext();
        context.addRoutePolicyFactory(failures);
        context.addRoutes(route());
        context.start();
        template = context.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    void send(String body) {
        template.send("direct:r", (Exchange e) -> e.getMessage().setBody(body));
    }

    @Test
    void aSucceededExchangeIsNoFailure() {
        send("ok");
        assertNull(failures.of("r"));
    }

    @Test
    void keepsTheLastFailureHandledOrNot() {
        send("bug");
        assertEquals("2026-01-02T03:04:05Z: IllegalStateException: a bug", failures.of("r"));
        send("bad");
        assertEquals("2026-01-02T03:04:05Z: IllegalArgumentException: bad input", failures.of("r"),
                "an exception an error handler answered (a 400) is a failure too");
        send("ok");
        assertEquals("2026-01-02T03:04:05Z: IllegalArgumentException: bad input", failures.of("r"), "until the next failure");
    }

    @Test
    void survivesTheRouteBeingRemovedAndAddedAgain() throws Exception {
        send("bug");
        context.getRouteController().stopRoute("r");
        context.removeRoute("r");
        context.addRoutes(route());
        assertEquals("2026-01-02T03:04:05Z: IllegalStateException: a bug", failures.of("r"));
    }
}
