package io.mqttintegration.runtime.sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.apache.camel.model.RouteTemplateDefinition;
import org.junit.jupiter.api.Test;

/** A sink's deliveries in flight: its own setting, else its template's default, else sinks.concurrency. */
class SinkConcurrencyTest {

    private static RouteTemplateDefinition template(String concurrencyDefault) {
        RouteTemplateDefinition t = new RouteTemplateDefinition();
        t.templateParameter("topic");
        if (concurrencyDefault != null) {
            t.templateParameter(SinkKinds.CONCURRENCY, concurrencyDefault);
        }
        return t;
    }

    @Test
    void theSinksSettingComesFirstThenItsTemplatesDefaultThenTheNodes() {
        assertEquals(64, SinkDispatcher.concurrency(Map.of(SinkKinds.CONCURRENCY, "64"), template("128"), 16));
        assertEquals(128, SinkDispatcher.concurrency(Map.of(), template("128"), 16));
        assertEquals(16, SinkDispatcher.concurrency(Map.of(), template(null), 16));
        assertEquals(16, SinkDispatcher.concurrency(Map.of(), null, 16));
    }

    @Test
    void aValueOutsideOneToAThousandIsNotUsed() {
        for (String bad : new String[] {"0", "1001", "x", "-1", ""}) {
            assertEquals(16, SinkDispatcher.concurrency(Map.of(SinkKinds.CONCURRENCY, bad), template(null), 16), bad);
            assertEquals(16, SinkDispatcher.concurrency(Map.of(), template(bad), 16), bad);
        }
    }
}
