package io.mqttintegration.runtime;

import io.mqttintegration.runtime.api.ApiKeysApi;
import io.mqttintegration.runtime.api.CredentialsApi;
import io.mqttintegration.runtime.api.IntegrationSettings;
import io.mqttintegration.runtime.api.IntegrationsApi;
import io.mqttintegration.runtime.api.OrganizationsApi;
import io.mqttintegration.runtime.api.BrokerApi;
import io.mqttintegration.runtime.api.IntegrationTargets;
import io.mqttintegration.runtime.api.SubscriptionsApi;
import io.mqttintegration.runtime.console.OperatorConsole;
import io.mqttintegration.runtime.metrics.HttpRequestMetrics;
import io.mqttintegration.runtime.metrics.Metrics;
import io.mqttintegration.runtime.subscriptions.AwaitStored;
import io.mqttintegration.runtime.subscriptions.DeliveryFailures;
import io.mqttintegration.runtime.subscriptions.MqttInbound;
import io.mqttintegration.runtime.subscriptions.NodeId;
import io.mqttintegration.runtime.subscriptions.Subscriptions;
import io.mqttintegration.storage.tenants.SubscriptionStore;
import io.mqttintegration.runtime.mqtt.ConnectionTester;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import io.mqttintegration.runtime.mqtt.BrokerClients;
import io.mqttintegration.runtime.mqtt.BrokerTargets;
import io.mqttintegration.runtime.api.TelemetryApi;
import io.mqttintegration.runtime.auth.Authenticator;
import io.mqttintegration.runtime.auth.LiveKeys;
import io.mqttintegration.runtime.cache.ExpiringCache;
import io.mqttintegration.runtime.http.EventLoopHttpEngine;
import io.mqttintegration.runtime.http.HealthReport;
import io.mqttintegration.runtime.http.JsonRequests;
import io.mqttintegration.runtime.ingest.IngestTargets;
import io.mqttintegration.runtime.ingest.IntegrationParsers;
import io.mqttintegration.runtime.ingest.WriterTurns;
import io.mqttintegration.runtime.parsers.ParserFiles;
import io.mqttintegration.runtime.parsers.ParserRegistry;
import io.mqttintegration.security.ApiKeys;
import io.mqttintegration.security.OperatorKey;
import io.mqttintegration.security.SecretBox;
import io.mqttintegration.security.ServerSecrets;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.ApiKeyStore;
import io.mqttintegration.storage.tenants.CredentialStore;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.OrganizationStore;
import io.mqttintegration.storage.tenants.TelemetryStore;
import io.mqttintegration.storage.tenants.Quota;
import io.mqttintegration.storage.tenants.QuotaStore;
import io.mqttintegration.runtime.quotas.Quotas;
import java.io.IOException;
import io.mqttintegration.runtime.http.HttpErrors;
import io.mqttintegration.runtime.http.JsonRouterErrors;
import io.mqttintegration.runtime.ingest.DeadLetterHandler;
import io.mqttintegration.runtime.ingest.IngestQueue;
import io.mqttintegration.runtime.ingest.IngestReplies;
import io.mqttintegration.runtime.ingest.IngestRequestDecoder;
import io.mqttintegration.runtime.ingest.MessageParsing;
import io.mqttintegration.runtime.routes.RouteFileDeployer;
import io.mqttintegration.runtime.routes.FolderWatcher;
import io.mqttintegration.runtime.routes.ProductCamelContext;
import io.mqttintegration.storage.DeadLetterStore;
import io.mqttintegration.storage.MessageWriter;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.runtime.http.HttpServerGuard;
import io.mqttintegration.runtime.http.WorkerHop;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The product: one CamelContext with the HTTP server, the beans the route files call, and the
 * route files themselves, loaded from a folder and reloaded when they change. Free of OSGi so the
 * tests run exactly this; in Karaf, {@link io.mqttintegration.runtime.osgi.ServiceComponent}
 * creates it once the DataSource and the configuration are there.
 */
public final class ProductRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProductRuntime.class);
    public static final String CONTEXT_NAME = "mqtt-integration";
    /** The integration quota's default may not exceed this (issue 13: one key created 300 in 0.6 s); the operator raises it per organization. */
    static final int MAX_DEFAULT_INTEGRATIONS = 250;
    /** Keys (or integrations) kept per cache; beyond, expired entries go first. */
    static final int CACHE_ENTRIES = 100_000;

    private final DataSource dataSource;
    private final Settings settings;
    private final Path home;
    private final Path routesDir;
    private DefaultCamelContext context;
    private RouteFileDeployer deployer;
    private final List<FolderWatcher> watchers = new java.util.ArrayList<>();
    private final Path parsersDir;
    private ParserFiles parserFiles;
    private BrokerClients brokerClients;
    private Subscriptions subscriptions;
    private Metrics metrics;
    /** The HTTP server's Vert.x: ours, not Camel's (Camel closes only one it made), so closed here. */
    private Vertx vertx;
    private int httpPort;
    private final io.mqttintegration.runtime.console.RouteStats routeStats = new io.mqttintegration.runtime.console.RouteStats();
    private OperatorConsole console;
    private final BrokerTargets.Resolver resolver;

    /**
     * @param home the folder relative paths in the settings are resolved against (the Karaf base)
     */
    public ProductRuntime(DataSource dataSource, Settings settings, Path home) {
        this(dataSource, settings, home, java.net.InetAddress::getAllByName);
    }

    /** @param resolver how broker host names are resolved (tests give names their own answers) */
    public ProductRuntime(DataSource dataSource, Settings settings, Path home, BrokerTargets.Resolver resolver) {
        this.resolver = resolver;
        this.dataSource = dataSource;
        this.settings = settings;
        this.home = home;
        this.routesDir = home.resolve(settings.text("routes.dir")).normalize();
        this.parsersDir = home.resolve(settings.text("parsers.dir")).normalize();
    }

    public void start() throws Exception {
        int migrations = SchemaMigrations.apply(dataSource);
        LOG.info("Database schema up to date ({} migrations applied now)", migrations);

        context = new ProductCamelContext();
        context.getCamelContextExtension().setName(CONTEXT_NAME);
        // Inside the bundle, Camel must find its plugins (YAML DSL, components) on the bundle's class loader.
        context.setApplicationContextClassLoader(ProductRuntime.class.getClassLoader());
        context.getPropertiesComponent().setInitialProperties(settings.asProperties());
        context.getShutdownStrategy().setTimeout(30);
        context.addRoutePolicyFactory(routeStats);
        bindBeans(context.getRegistry());

        VertxPlatformHttpServer server = httpServer();
        context.addService(server);
        context.start();
        if (server.getServer() == null || server.getServer().actualPort() <= 0) {
            throw new IllegalStateException("the HTTP API could not listen on " + settings.text("http.host") + ":"
                    + httpPort + " (port in use?)");
        }
        if (server.getServer().requestHandler() instanceof Router root) {
            JsonRouterErrors.install(root, settings.integer("http.maxBodyBytes", 1, Integer.MAX_VALUE));
        }

        parserFiles.deployAll(FolderWatcher.filesOf(parsersDir, parserFiles));
        List<String> errors = deployer.deployAll(FolderWatcher.filesOf(routesDir, deployer));
        LOG.info("Loaded {} route files from {} ({} rejected); HTTP API on {}:{}", deployer.files().size(), routesDir,
                errors.size(), settings.text("http.host"), httpPort);
        deployer.onTemplatesChanged(subscriptions::routeFilesChanged);
        subscriptions.startAll();
        if (settings.flag("routes.reload.enabled")) {
            int interval = settings.integer("routes.reload.intervalMs", 50, 60_000);
            watchers.add(new FolderWatcher(parsersDir, parserFiles, interval));
            watchers.add(new FolderWatcher(routesDir, deployer, interval));
            for (FolderWatcher watcher : watchers) {
                watcher.start();
            }
        }
    }

    private void bindBeans(Registry registry) throws IOException {
        int maxBody = settings.integer("http.maxBodyBytes", 1, Integer.MAX_VALUE);
        // Routes on Camel's platform-http engine run each request on a Vert.x worker thread (the API's
        // database work): size them for the requests that may run at once. The HTTP server Camel makes
        // with this Vert.x carries the idle and request timeouts and the connection cap (HttpServerGuard).
        vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(settings.integer("http.workerThreads", 1, 1024)));
        DeadLetterStore deadLetterStore = new DeadLetterStore(dataSource);
        MessageWriter writer = new MessageWriter(dataSource, deadLetterStore);
        Tenancy tenancy = new Tenancy(dataSource);
        IntegrationStore integrations = new IntegrationStore(tenancy);
        ParserRegistry parserRegistry = new ParserRegistry();
        IntegrationParsers parsers = new IntegrationParsers(integrations, parserRegistry, 5_000);
        parserFiles = new ParserFiles(parserRegistry);
        parserRegistry.onChange(parsers::clear);
        MessageParsing parsing = new MessageParsing(parsers::parserFor);
        IngestQueue queue = new IngestQueue(context, "ingest", settings.integer("ingest.queue.size", 1, 10_000_000),
                settings.integer("ingest.batch.size", 1, 100_000), new WriterTurns(settings.integer("ingest.writers.overlapAt", 1, 10_000_000)));
        settings.integer("ingest.writers", 1, 64); // read by routes/ingest-pipeline.camel.yaml; refused here when out of range
        deployer = new RouteFileDeployer(context);

        registry.bind("dataSource", dataSource);
        registry.bind("ingestDecoder", new IngestRequestDecoder(maxBody,
                settings.integer("ingest.request.maxMessages", 1, 100_000), Clock.systemUTC()));
        registry.bind("ingestQueue", queue);
        registry.bind("ingestReplies", new IngestReplies(settings.integer("ingest.commit.timeoutMs", 100, 600_000)));
        registry.bind("messageParser", parsing);
        registry.bind("messageWriter", writer);
        registry.bind("deadLetters", new DeadLetterHandler(deadLetterStore));
        EventLoopHttpEngine eventLoopHttp = new EventLoopHttpEngine();
        eventLoopHttp.setCamelContext(context);
        registry.bind("eventLoopHttp", eventLoopHttp);
        registry.bind("httpErrors", new HttpErrors(settings.integer("ingest.retryAfterSeconds", 1, 3600)));
        registry.bind("healthReport", new HealthReport(context, dataSource, queue, parsing, writer, deadLetterStore, deployer));
        ApiParts api = bindApi(registry, maxBody, tenancy, integrations, parsers, parserRegistry);
        metrics = new Metrics(queue, subscriptions::statuses);
        writer.onBatch(metrics::batch);
        registry.bind("metrics", metrics);
        context.getManagementStrategy().addEventNotifier(new HttpRequestMetrics(metrics));
        registry.bind("vertx", HttpServerGuard.guard(vertx,
                new HttpServerGuard.Limits(settings.integer("http.idleTimeoutSeconds", 1, 86_400),
                        settings.integer("http.requestTimeoutSeconds", 1, 86_400),
                        settings.integer("http.maxConnections", 1, 1_000_000))));
        console = new OperatorConsole(new OperatorConsole.Parts(context, deployer, routesDir, routeStats, integrations,
                api.targets(), api.tester(), api.activity(), subscriptions, queue, parsing, writer, metrics, parserRegistry,
                deadLetterStore, settings.integer("ingest.commit.timeoutMs", 100, 600_000), Clock.systemUTC()));
    }

    private record ApiParts(IntegrationTargets targets, ConnectionTester tester, ActivityLog activity) {
    }

    /** Authentication, tenants, integrations: the beans of the /api/v1 routes. */
    private ApiParts bindApi(Registry registry, int maxBody, Tenancy tenancy, IntegrationStore integrations,
            IntegrationParsers parsers, ParserRegistry parserRegistry) throws IOException {
        Path securityDir = home.resolve(settings.text("security.dir")).normalize();
        ServerSecrets secrets = ServerSecrets.load(securityDir.resolve("secrets"), settings.secret("security.masterKey", home),
                settings.secret("security.keyHashSecret", home));
        ApiKeys apiKeys = new ApiKeys(secrets.hashKey());
        OperatorKey operatorKey = OperatorKey.load(apiKeys, settings.secret("security.operatorKey", home),
                securityDir.resolve("operator.key"), securityDir.resolve("secrets/operator.key.hash"));
        OrganizationStore organizations = new OrganizationStore(tenancy);
        ApiKeyStore keys = new ApiKeyStore(tenancy);
        ActivityLog activity = new ActivityLog(tenancy);

        // Keys and integrations read per request are kept at most keyCacheMillis (<= 1 s): a key
        // revoked or an integration deleted through another node is refused within that time.
        Duration cacheTime = Duration.ofMillis(settings.integer("security.keyCacheMillis", 0, 1000));
        LiveKeys liveKeys = new LiveKeys(keys, new ExpiringCache<>(cacheTime, CACHE_ENTRIES, System::nanoTime));
        IngestTargets ingestTargets = new IngestTargets(integrations,
                new ExpiringCache<>(cacheTime, CACHE_ENTRIES, System::nanoTime));
        Authenticator authenticator = new Authenticator(operatorKey, apiKeys, liveKeys,
                new RateLimiter<>(settings.integer("security.authFailuresPerMinute", 1, 1_000_000)));
        registry.bind("auth", authenticator);
        registry.bind("jsonRequests", new JsonRequests(maxBody));
        registry.bind("ingestTargets", ingestTargets);
        // routes/http-ingest.camel.yaml runs on the event loop: these move a request to a worker
        // thread when its key, or an integration it names, must be read from the database.
        registry.bind("ingestKeyLookup", new WorkerHop(vertx, authenticator::ingestNeedsNoLookup));
        registry.bind("ingestIntegrationLookup", new WorkerHop(vertx, e -> ingestTargets.assignNeedsNoLookup(e, parsers::holds)));
        Quotas quotas = quotas(tenancy);
        registry.bind("organizationsApi", new OrganizationsApi(organizations, quotas));
        registry.bind("apiKeysApi", new ApiKeysApi(apiKeys, keys, organizations, integrations, liveKeys));
        BrokerTargets brokerTargets = new BrokerTargets(settings.flag("mqtt.allowPrivateTargets"),
                BrokerTargets.allowList(settings.optional("mqtt.allowedTargets"), resolver), resolver);
        if (brokerTargets.warning() != null) {
            LOG.warn(brokerTargets.warning());
        }
        brokerClients = new BrokerClients(brokerTargets, settings.integer("mqtt.connectTimeoutSeconds", 1, 120));
        String nodeId = NodeId.resolve(settings.optional("mqtt.nodeId"), securityDir.resolve("node.id"));
        IntegrationTargets integrationTargets = new IntegrationTargets(new SecretBox(secrets.masterKey()), nodeId);
        SubscriptionStore subscriptionStore = new SubscriptionStore(tenancy);
        subscriptions = new Subscriptions(context, subscriptionStore, integrations, integrationTargets, brokerTargets, activity,
                new Subscriptions.Settings(settings.integer("mqtt.connectTimeoutSeconds", 1, 120),
                        settings.integer("mqtt.subscription.maxRetrySeconds", 1, 3600),
                        settings.integer("mqtt.subscription.maxRedeliverySeconds", 1, 3600),
                        // as long as a message may take to commit
                        Math.max(1, settings.integer("ingest.commit.timeoutMs", 100, 600_000) / 1000),
                        nodeId, settings.integer("mqtt.subscription.syncSeconds", 0, 3600)), deployer.transitions());
        registry.bind("mqttInbound", new MqttInbound(subscriptions, Clock.systemUTC()));
        registry.bind("mqttAwaitStored", new AwaitStored(subscriptions::stored));
        registry.bind("mqttDeliveryFailures", new DeliveryFailures(subscriptions));
        registry.bind("subscriptionsApi", new SubscriptionsApi(tenancy, integrations, subscriptionStore, activity, subscriptions,
                quotas));
        ConnectionTester tester = new ConnectionTester(brokerTargets, settings.integer("mqtt.testTimeoutSeconds", 1, 120));
        registry.bind("brokerApi", new BrokerApi(integrations, activity, integrationTargets, brokerClients, tester,
                new RateLimiter<>(settings.integer("mqtt.testsPerMinute", 1, 10_000)), quotas));
        registry.bind("integrationsApi", new IntegrationsApi(tenancy, integrations, activity, new IntegrationSettings(parserRegistry::names),
                new SecretBox(secrets.masterKey()),
                List.of((org, id) -> parsers.invalidate(id), (org, id) -> brokerClients.invalidate(id), subscriptions::integrationChanged,
                        liveKeys::integrationChanged, ingestTargets::integrationChanged),
                subscriptions::view, quotas));
        registry.bind("telemetryApi", new TelemetryApi(new TelemetryStore(tenancy), integrations));
        registry.bind("credentialsApi", new CredentialsApi(tenancy, integrations, new CredentialStore(tenancy), activity,
                settings.integer("security.passwordHashIterations", 1_000, 10_000_000), quotas));
        return new ApiParts(integrationTargets, tester, activity);
    }

    /** Per-organization quotas with the defaults of the PID mqtt.integration.quotas. */
    private Quotas quotas(Tenancy tenancy) {
        Map<Quota, Integer> defaults = new EnumMap<>(Quota.class);
        defaults.put(Quota.INTEGRATIONS, settings.integer("quotas.integrations", 0, MAX_DEFAULT_INTEGRATIONS));
        defaults.put(Quota.SUBSCRIPTIONS, settings.integer("quotas.subscriptions", 0, 1_000_000));
        defaults.put(Quota.CREDENTIALS, settings.integer("quotas.credentials", 0, 1_000_000));
        defaults.put(Quota.PUBLISH_PER_SECOND, settings.integer("quotas.publishPerSecond", 0, 1_000_000));
        return new Quotas(new QuotaStore(tenancy), defaults, new RateLimiter<>(0, Duration.ofSeconds(1)));
    }

    private VertxPlatformHttpServer httpServer() {
        httpPort = settings.integer("http.port", 1, 65_535);
        VertxPlatformHttpServerConfiguration config = new VertxPlatformHttpServerConfiguration();
        config.setBindHost(settings.text("http.host"));
        config.setBindPort(httpPort);
        config.setMaxBodySize((long) settings.integer("http.maxBodyBytes", 1, Integer.MAX_VALUE));
        String keyStore = settings.optional("http.tls.keyStore");
        if (keyStore != null && !keyStore.isBlank()) {
            Path file = home.resolve(keyStore.trim()).normalize();
            if (!java.nio.file.Files.isReadable(file)) {
                throw new IllegalStateException("http.tls.keyStore " + file + " cannot be read");
            }
            org.apache.camel.support.jsse.KeyStoreParameters store = new org.apache.camel.support.jsse.KeyStoreParameters();
            store.setResource("file:" + file);
            String password = settings.secret("http.tls.keyStorePassword", home);
            store.setPassword(password);
            org.apache.camel.support.jsse.KeyManagersParameters keys = new org.apache.camel.support.jsse.KeyManagersParameters();
            keys.setKeyStore(store);
            keys.setKeyPassword(password);
            org.apache.camel.support.jsse.SSLContextParameters tls = new org.apache.camel.support.jsse.SSLContextParameters();
            tls.setKeyManagers(keys);
            config.setSslContextParameters(tls);
            LOG.info("The HTTP API serves TLS with the key store {}", file);
        }
        return new VertxPlatformHttpServer(config);
    }

    public CamelContext camelContext() {
        return context;
    }

    public RouteFileDeployer deployer() {
        return deployer;
    }

    /** What the Karaf console commands show and do. */
    public OperatorConsole console() {
        return console;
    }

    public Subscriptions subscriptions() {
        return subscriptions;
    }

    public int httpPort() {
        return httpPort;
    }

    /** Stops route reloading, then Camel: the SEDA queue drains and pending batches are written. */
    @Override
    public void close() {
        watchers.forEach(FolderWatcher::close);
        // Subscriptions before Camel: their routes stop while the pipeline still commits (and the
        // clients still acknowledge) what is in flight; the broker keeps each session.
        if (subscriptions != null) {
            subscriptions.close();
        }
        if (brokerClients != null) {
            brokerClients.close();
        }
        if (context != null) {
            context.stop();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (vertx != null) {
            // Its event loops and worker threads outlived every stop before (a restart on a
            // configuration change leaked a Vert.x each time; the test JVM held 49 of them).
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("Vert.x did not close within 10 s: {}", e.toString());
            }
        }
        if (context != null) {
            LOG.info("mqtt-integration stopped");
        }
    }
}
