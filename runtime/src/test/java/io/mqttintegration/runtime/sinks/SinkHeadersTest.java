package io.mqttintegration.runtime.sinks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * What leaves the service with a delivery: the webhook and Kafka templates leave the service's own
 * {@code mqi*} headers to their endpoint's header filter instead of a removeHeaders pattern; and which
 * routes are a sink's own (counted by the sink's meters, not Camel's route policy).
 */
class SinkHeadersTest {

    private final DefaultExchange exchange = new DefaultExchange(new DefaultCamelContext());

    @Test
    void aWebhookRequestCarriesNeitherTheServicesNorCamelsHeaders() {
        HeaderFilterStrategy filter = SinksWiring.webhookHeaderFilter();
        for (String own : new String[] {SinkDispatcher.SINK_ID, SinkDispatcher.MESSAGE_ID, SinkDispatcher.TOPIC, SinkDispatcher.DEVICE_ID,
                SinkDispatcher.INTEGRATION_ID, SinkDispatcher.RECEIVED_AT, SinkDispatcher.EVENT, "CamelHttpMethod"}) {
            assertTrue(filter.applyFilterToCamelHeaders(own, "x", exchange), own + " stays home");
        }
        for (String sent : new String[] {"X-MQI-Signature", "X-MQI-Message-Id", "X-MQI-Topic", "X-MQI-Event"}) {
            assertFalse(filter.applyFilterToCamelHeaders(sent, "x", exchange), sent + " is sent");
        }
    }

    @Test
    void aKafkaRecordCarriesItsMqiDashHeadersButNotTheServicesOwn() {
        HeaderFilterStrategy filter = SinksWiring.kafkaHeaderFilter();
        for (String own : new String[] {SinkDispatcher.SINK_ID, SinkDispatcher.MESSAGE_ID, SinkDispatcher.TOPIC, SinkDispatcher.DEVICE_ID,
                SinkDispatcher.INTEGRATION_ID, SinkDispatcher.RECEIVED_AT, SinkDispatcher.EVENT, "kafka.KEY", "CamelFoo"}) {
            assertTrue(filter.applyFilterToCamelHeaders(own, "x", exchange), own + " stays home");
        }
        for (String sent : new String[] {"mqi-message-id", "mqi-topic", "mqi-device-id", "mqi-received-at", "mqi-event", "content-type"}) {
            assertFalse(filter.applyFilterToCamelHeaders(sent, "x", exchange), sent + " is a record header");
        }
    }

    @Test
    void aSinksOwnRouteIsToldApartFromTemplatesAndOtherRoutes() {
        assertTrue(SinkKinds.isSinkRoute("sink-" + UUID.randomUUID()));
        assertFalse(SinkKinds.isSinkRoute("sink-webhook"));
        assertFalse(SinkKinds.isSinkRoute("sink-" + "x".repeat(36)));
        assertFalse(SinkKinds.isSinkRoute("mqtt-subscription-" + UUID.randomUUID()));
        assertFalse(SinkKinds.isSinkRoute(null));
    }
}
