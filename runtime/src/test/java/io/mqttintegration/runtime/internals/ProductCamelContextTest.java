package io.mqttintegration.runtime.internals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Removing routes behaves as Camel's own context does; only a missing route is skipped sooner. */
class ProductCamelContextTest {

    ProductCamelContext context;

    @BeforeEach
    void start() throws Exception {
        context = new ProductCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:one").routeId("one").to("log:shared");
                from("direct:two").routeId("two").to("log:shared");
            }
        });
        context.start();
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    @Test
    void aRouteThatDoesNotExistIsNotRemoved() throws Exception {
        assertFalse(context.removeRoute("missing"));
        assertEquals(2, context.getRoutes().size());
    }

    @Test
    void aStoppedRouteGoesWithTheEndpointsOnlyItUsed() throws Exception {
        assertFalse(context.removeRoute("one"), "a started route is not removed");
        context.getRouteController().stopRoute("one");
        assertTrue(context.removeRoute("one"));
        assertNull(context.getRoute("one"));
        assertNull(context.hasEndpoint("direct://one"));
        assertNotNull(context.hasEndpoint("log://shared"), "still used by route two");
    }

    @Test
    void aRouteAddedAgainWithItsIdReplacesTheOldOne() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:three").routeId("two").to("log:other");
            }
        });
        assertEquals(2, context.getRoutes().size());
        assertEquals("direct://three", context.getRoute("two").getEndpoint().getEndpointUri());
    }
}
