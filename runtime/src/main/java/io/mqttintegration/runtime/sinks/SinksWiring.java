package io.mqttintegration.runtime.sinks;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.runtime.broker.HostedCommands;
import io.mqttintegration.runtime.config.ProductConfig;
import io.mqttintegration.runtime.config.SinksConfig;
import io.mqttintegration.runtime.integrations.SealedSecrets;
import io.mqttintegration.runtime.mqtt.BrokerClients;
import io.mqttintegration.runtime.storage.StorageWiring;
import io.mqttintegration.runtime.subscriptions.SubscriptionsWiring;
import io.mqttintegration.storage.sinks.SinkOutbox;
import io.mqttintegration.storage.sinks.SinkStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaHeaderFilterStrategy;
import org.apache.camel.component.vertx.http.VertxHttpComponent;
import org.apache.camel.component.vertx.http.VertxHttpHeaderFilterStrategy;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * The sinks' wiring: their store, the kinds the route files declare, the webhook signatures (bean
 * {@code sinkSignatures}, which the webhook template calls), the MQTT sinks' publisher (bean
 * {@code sinkMqttPublisher}, with broker clients of its own and the way to the hosted broker) and the dispatcher that delivers the
 * outboxes of the sinks this node holds; started once the route files (and so the templates) are deployed.
 */
public final class SinksWiring {

    /** What the API needs of the sinks (with the test of a sink's receiver), and the dispatcher to start and stop. */
    public record Parts(SinkStore store, SinkKinds kinds, SealedSecrets secrets, SinkDispatcher dispatcher, SinkTester tester,
            SinkMqttPublisher mqtt) {

        public void start() {
            dispatcher.start();
        }

        /** The dispatcher first (its rounds end, its routes go), then the MQTT sinks' broker clients. */
        public void close() {
            dispatcher.close();
            mqtt.close();
        }
    }

    private SinksWiring() {
    }

    /**
     * @param hosted the way to the hosted broker, for MQTT sinks with {@code hosted: true}
     * @param vertx  the Vert.x of the HTTP server, whose event loops the webhooks' client shares
     */
    public static Parts wire(CamelContext context, ProductConfig config, StorageWiring.Parts storage, SubscriptionsWiring.Parts subscriptions,
            HostedCommands hosted, MeterRegistry meters, Vertx vertx) {
        SinkSignatures signatures = new SinkSignatures(Clock.systemUTC());
        context.getRegistry().bind("sinkSignatures", signatures);
        context.getComponent("vertx-http", VertxHttpComponent.class).setVertx(vertx);
        context.getRegistry().bind("sinkWebClientOptions", webClientOptions(config.sinks()));
        context.getRegistry().bind("sinkHeaderFilter", webhookHeaderFilter());
        context.getRegistry().bind("sinkKafkaHeaderFilter", kafkaHeaderFilter());
        SealedSecrets secrets = new SealedSecrets(subscriptions.secretBox());
        SinkDispatcher dispatcher = new SinkDispatcher(context, new SinkOutbox(storage.tenancy()), signatures, secrets, meters,
                config.sinks(), subscriptions.integrationTargets().nodeId(), Clock.systemUTC());
        SinkMqttPublisher mqtt = new SinkMqttPublisher(storage.integrations(), subscriptions.integrationTargets(),
                new BrokerClients(subscriptions.brokerTargets(), config.mqtt().connectTimeoutSeconds()), hosted, dispatcher::organizationOf);
        context.getRegistry().bind("sinkMqttPublisher", mqtt);
        SinkTester tester = new SinkTester(context, signatures, secrets, mqtt, config.sinks().timeoutMillis(), Clock.systemUTC());
        return new Parts(new SinkStore(storage.tenancy()), new SinkKinds(context), secrets, dispatcher, tester, mqtt);
    }

    /**
     * What a webhook request leaves out of the exchange's headers: Vert.x HTTP's own filter (Camel's
     * headers, hop-by-hop ones) and the service's {@code mqi*} headers, which the template has turned
     * into its {@code X-MQI-*} ones. Matched by prefix, once per header.
     */
    static HeaderFilterStrategy webhookHeaderFilter() {
        VertxHttpHeaderFilterStrategy filter = new VertxHttpHeaderFilterStrategy();
        filter.setOutFilterStartsWith("Camel", "camel", "org.apache.camel.", "mqi");
        return filter;
    }

    /**
     * What a Kafka record leaves out of the exchange's headers: camel-kafka's own filter (Camel's and
     * {@code kafka.*} headers) and the service's {@code mqi<Name>} headers, which the template has
     * turned into its {@code mqi-*} record headers (those stay). One pattern, compiled once.
     */
    static HeaderFilterStrategy kafkaHeaderFilter() {
        KafkaHeaderFilterStrategy filter = new KafkaHeaderFilterStrategy();
        filter.setOutFilterPattern("mqi[A-Z].*");
        return filter;
    }

    /**
     * The webhooks' HTTP client: connections kept alive, as many per receiver as deliveries of a sink
     * in flight; redirects not followed (a receiver's redirect would take the request where the target
     * checks did not look); connect within the delivery timeout.
     */
    static WebClientOptions webClientOptions(SinksConfig sinks) {
        WebClientOptions o = new WebClientOptions();
        o.setKeepAlive(true);
        o.setMaxPoolSize(Math.max(1, sinks.concurrency()));
        o.setFollowRedirects(false);
        o.setConnectTimeout(sinks.timeoutMillis());
        o.setUserAgent("mqtt-integration-sink");
        return o;
    }
}
