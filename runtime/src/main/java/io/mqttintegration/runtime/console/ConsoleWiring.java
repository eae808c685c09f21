package io.mqttintegration.runtime.console;

import io.mqttintegration.runtime.broker.HostedCommands;
import io.mqttintegration.runtime.config.ProductConfig;
import io.mqttintegration.runtime.ingest.IngestWiring;
import io.mqttintegration.runtime.metrics.Metrics;
import io.mqttintegration.runtime.metrics.RouteCounts;
import io.mqttintegration.runtime.mqtt.ConnectionTester;
import io.mqttintegration.runtime.routes.RouteFileDeployer;
import io.mqttintegration.runtime.sinks.SinksWiring;
import io.mqttintegration.runtime.storage.StorageWiring;
import io.mqttintegration.runtime.subscriptions.SubscriptionsWiring;
import io.mqttintegration.storage.presence.DeviceStore;
import java.time.Clock;
import org.apache.camel.CamelContext;

/**
 * The console's wiring: what the {@code mqtt:*} commands show and do, each area's answers made from
 * what that area holds, and the last failure of each route (a route policy on every route, so before the first is added).
 */
public final class ConsoleWiring {

    private ConsoleWiring() {
    }

    public static ProductConsole wire(CamelContext context, ProductConfig config, RouteFileDeployer deployer, Metrics metrics,
            StorageWiring.Parts storage, IngestWiring.Parts ingest, SubscriptionsWiring.Parts subscriptions, SinksWiring.Parts sinks,
            ConnectionTester tester, HostedCommands hosted) {
        LastFailures lastFailures = new LastFailures(Clock.systemUTC());
        context.addRoutePolicyFactory(lastFailures);
        return new ProductConsole(
                new RouteAnswers(context, deployer, config.routes().routesDir(), new RouteCounts(metrics.registry()), lastFailures),
                new IntegrationAnswers(storage.integrations(), subscriptions.integrationTargets(), tester, storage.activity(),
                        subscriptions.subscriptions()),
                new PipelineAnswers(ingest.queue(), ingest.writer(), metrics, ingest.parserRegistry(), ingest.deadLetters(),
                        ingest.deadLetterReplay()),
                new StorageAnswers(storage.maintenance()),
                new SinkAnswers(sinks.store(), sinks.dispatcher()::delivering, metrics.registry(),
                        subscriptions.integrationTargets().nodeId(), Clock.systemUTC()),
                new DeviceAnswers(new DeviceStore(storage.tenancy()), hosted::publisher, subscriptions.integrationTargets().nodeId()));
    }
}
