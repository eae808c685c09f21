package io.mqttintegration.runtime.internals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * The workarounds of this package were written for Camel 4.14 and Vert.x 4.5: an upgrade fails
 * here first, so that each one is checked again (still needed? still working?) before the versions
 * below move. And the handles they reach by reflection still resolve.
 */
class UpstreamVersionsTest {

    @Test
    void writtenForCamel414AndVertx45() throws IOException {
        String camel;
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            camel = context.getVersion();
        }
        String vertx;
        try (InputStream in = io.vertx.core.Vertx.class.getResourceAsStream("/META-INF/vertx/vertx-version.txt")) {
            vertx = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        assertEquals("4.14", camel.substring(0, camel.indexOf('.', 2)),
                "Camel " + camel + ": re-check ProductCamelContext, EventLoopHttpEngine/Consumer and ClosedResponses, then update this test");
        assertEquals("4.5", vertx.substring(0, vertx.indexOf('.', 2)),
                "Vert.x " + vertx + ": re-check ClosedResponses and EventLoopHttpConsumer, then update this test");
    }

    @Test
    void theirReflectiveHandlesResolve() {
        assertTrue(ClosedResponses.available(), "Vert.x Http1xServerResponse.handleWritabilityChanged(boolean)");
        assertTrue(EventLoopHttpConsumer.writerFound(), "Camel VertxPlatformHttpSupport.writeResponse(...)");
    }
}
