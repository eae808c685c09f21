package io.mqttintegration.runtime;

import io.mqttintegration.spi.config.Settings;
import io.mqttintegration.runtime.api.ApiWiring;
import io.mqttintegration.runtime.auth.AuthWiring;
import io.mqttintegration.runtime.broker.BrokerWiring;
import io.mqttintegration.runtime.broker.HostedParts;
import io.mqttintegration.runtime.sinks.SinkKinds;
import io.mqttintegration.runtime.sinks.SinksWiring;
import io.mqttintegration.runtime.config.ProductConfig;
import io.mqttintegration.runtime.console.ConsoleWiring;
import io.mqttintegration.runtime.console.ProductConsole;
import io.mqttintegration.runtime.health.HealthWiring;
import io.mqttintegration.runtime.http.HttpWiring;
import io.mqttintegration.runtime.ingest.IngestWiring;
import io.mqttintegration.runtime.metrics.Metrics;
import io.mqttintegration.runtime.metrics.MetricsWiring;
import io.mqttintegration.runtime.presence.PresenceWiring;
import io.mqttintegration.runtime.mqtt.BrokerTargets;
import io.mqttintegration.runtime.quotas.Quotas;
import io.mqttintegration.runtime.quotas.QuotasWiring;
import io.mqttintegration.runtime.routes.RouteFileDeployer;
import io.mqttintegration.runtime.routes.RoutesWiring;
import io.mqttintegration.runtime.storage.StorageWiring;
import io.mqttintegration.runtime.subscriptions.Subscriptions;
import io.mqttintegration.runtime.subscriptions.SubscriptionsWiring;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The product's composition root: each area binds its beans in its own wiring class, in the order below, given what the
 * areas before it made. Free of OSGi so the tests run exactly this; in Karaf, {@link io.mqttintegration.runtime.osgi.ServiceComponent}
 * creates it once the DataSource and the configuration are there.
 */
public final class ProductRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProductRuntime.class);
    public static final String CONTEXT_NAME = "mqtt-integration";

    private final DataSource dataSource;
    private final Settings settings;
    private final Path home;
    private final BrokerTargets.Resolver resolver;
    /** Started and not closing: until then a request no route answers gets 503, not 404 (JsonRouterErrors). */
    private volatile boolean serving;
    private StorageWiring.Parts storage;
    private HttpWiring http;
    private Metrics metrics;
    private RoutesWiring routeFiles;
    private SubscriptionsWiring.Parts subscriptions;
    private HostedParts hostedParts;
    private SinksWiring.Parts sinks;
    private PresenceWiring.Parts presence;
    private ProductConsole console;
    private ApiWiring.Parts api;

    /**
     * @param home     the folder relative paths in the settings are resolved against (the Karaf base)
     * @param resolver how broker host names are resolved ({@code InetAddress::getAllByName}; tests give names their own answers)
     */
    public ProductRuntime(DataSource dataSource, Settings settings, Path home, BrokerTargets.Resolver resolver) {
        this.dataSource = dataSource;
        this.settings = settings;
        this.home = home;
        this.resolver = resolver;
    }

    public void start() throws Exception {
        // Every PID's values, validated before anything is built: a wrong one stops here, named.
        ProductConfig config = ProductConfig.from(settings, home);
        storage = StorageWiring.wire(dataSource, config.ingest().storage());
        routeFiles = new RoutesWiring(CONTEXT_NAME, settings.asProperties(ProductConfig.PIDS), ApiWiring.restConfiguration(), config.routes(), dataSource);
        CamelContext context = routeFiles.context();
        RouteFileDeployer deployer = routeFiles.deployer();
        http = HttpWiring.wire(context, config.http(), config.ingest().retryAfterSeconds());
        metrics = MetricsWiring.wire(context, storage.maintenance(), id -> !Subscriptions.isSubscriptionRoute(id) && !SinkKinds.isSinkRoute(id));
        AuthWiring.Parts auth = AuthWiring.wire(context.getRegistry(), config.security(), config.console(), storage.tenancy(),
                routeFiles.operations());
        IngestWiring.Parts ingest = IngestWiring.wire(context, dataSource, config, storage.integrations(), auth.authenticator(),
                http.vertx(), metrics.registry(), metrics::batch);
        HealthWiring.wire(context, dataSource, ingest, deployer);
        subscriptions = SubscriptionsWiring.wire(context, config, resolver, auth.secrets(), storage, deployer.transitions(),
                metrics.registry(), metrics::beforeScrape);
        Quotas quotas = QuotasWiring.wire(config.quotas(), storage.tenancy());
        presence = PresenceWiring.wire(config.presence(), storage.tenancy(), ingest.writer(), subscriptions.integrationTargets().nodeId(),
                metrics.registry());
        hostedParts = BrokerWiring.wire(config, storage.tenancy(), auth.secrets(), ingest.queue(), quotas, metrics.registry(),
                presence.hosted());
        sinks = SinksWiring.wire(context, config, storage, subscriptions, hostedParts.commands(), metrics.registry(), http.vertx());
        api = ApiWiring.wire(context.getRegistry(), new ApiWiring.Needs(config, http.vertx(), routeFiles.operations(),
                storage, auth, ingest, subscriptions, quotas, hostedParts, sinks, deployer));
        console = ConsoleWiring.wire(context, config, deployer, metrics, storage, ingest, subscriptions, sinks, api.tester(),
                hostedParts.commands());

        http.addServer();
        context.start();
        http.listening(() -> serving);
        api.live().install(context, http.port());
        ingest.deployParsers(config.routes().parsersDir());
        int rejected = routeFiles.deployAll().size();
        LOG.info("Loaded {} route files from {} ({} rejected); HTTP API on {}:{}", deployer.files().size(), config.routes().routesDir(),
                rejected, config.http().host(), http.port());
        subscriptions.start(deployer);
        sinks.start();
        presence.start();
        serving = true;
        storage.maintenance().schedule(config.ingest().storage().maintenanceIntervalMinutes());
        routeFiles.watch(ingest.parserFiles());
    }

    public CamelContext camelContext() {
        return routeFiles == null ? null : routeFiles.context();
    }

    public RouteFileDeployer deployer() {
        return routeFiles == null ? null : routeFiles.deployer();
    }

    public ProductConsole console() {
        return console;
    }

    public Subscriptions subscriptions() {
        return subscriptions == null ? null : subscriptions.subscriptions();
    }

    /** What the hosted MQTT broker needs of this service (after {@link #start}). */
    public HostedParts hostedParts() {
        return hostedParts;
    }

    public SinksWiring.Parts sinks() {
        return sinks;
    }

    public int httpPort() {
        return http == null ? 0 : http.port();
    }

    /** Stops route reloading, then Camel: the SEDA queue drains and pending batches are written. */
    @Override
    public void close() {
        serving = false;
        ifMade(storage, () -> storage.maintenance().close());
        ifMade(routeFiles, () -> routeFiles.close());
        // Subscriptions and sinks before Camel: their routes stop while the pipeline still commits (and the
        // clients still acknowledge) what is in flight, each sink finishing its page; the broker keeps each session.
        ifMade(subscriptions, () -> subscriptions.close());
        ifMade(sinks, () -> sinks.close());
        // An open live stream ends only when its client leaves: the service ends it.
        ifMade(api, () -> api.liveStreams().closeAll());
        ifMade(routeFiles, () -> routeFiles.context().stop());
        // After Camel: the pipeline has committed what it held, so the last flush has its last seen.
        ifMade(presence, () -> presence.close());
        ifMade(metrics, () -> metrics.close());
        ifMade(http, () -> http.close());
        ifMade(routeFiles, () -> LOG.info("mqtt-integration stopped"));
    }

    /** Stops a part if the start made it (a start that failed made only the first parts). */
    private static void ifMade(Object part, Runnable stop) {
        if (part != null) {
            stop.run();
        }
    }
}
