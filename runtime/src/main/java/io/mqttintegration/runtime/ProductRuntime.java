package io.mqttintegration.runtime;

import io.mqttintegration.runtime.api.ApiKeysApi;
import io.mqttintegration.runtime.api.ApiRequests;
import io.mqttintegration.runtime.api.CredentialsApi;
import io.mqttintegration.runtime.integrations.IntegrationSettings;
import io.mqttintegration.runtime.api.IntegrationsApi;
import io.mqttintegration.runtime.api.OrganizationsApi;
import io.mqttintegration.runtime.api.BrokerApi;
import io.mqttintegration.runtime.integrations.IntegrationTargets;
import io.mqttintegration.runtime.api.SubscriptionsApi;
import io.mqttintegration.runtime.console.LastFailures;
import io.mqttintegration.runtime.console.OperatorConsole;
import io.mqttintegration.runtime.metrics.HttpRequestMetrics;
import io.mqttintegration.runtime.config.HttpConfig;
import io.mqttintegration.runtime.config.IngestConfig;
import io.mqttintegration.runtime.config.MqttConfig;
import io.mqttintegration.runtime.config.ProductConfig;
import io.mqttintegration.runtime.config.QuotasConfig;
import io.mqttintegration.runtime.config.RoutesConfig;
import io.mqttintegration.runtime.config.SecurityConfig;
import io.mqttintegration.runtime.metrics.Metrics;
import io.mqttintegration.runtime.metrics.RouteCounts;
import io.mqttintegration.runtime.metrics.RouteMetrics;
import io.mqttintegration.runtime.metrics.StorageMetrics;
import io.mqttintegration.runtime.subscriptions.AwaitStored;
import io.mqttintegration.runtime.subscriptions.DeliveryFailures;
import io.mqttintegration.runtime.subscriptions.MqttInbound;
import io.mqttintegration.runtime.subscriptions.NodeId;
import io.mqttintegration.runtime.subscriptions.SubscriptionMeters;
import io.mqttintegration.runtime.subscriptions.Subscriptions;
import io.mqttintegration.storage.tenants.SubscriptionStore;
import io.mqttintegration.runtime.mqtt.ConnectionTester;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import io.mqttintegration.runtime.mqtt.BrokerClients;
import io.mqttintegration.runtime.mqtt.BrokerTargets;
import io.mqttintegration.runtime.api.OpenApiErrors;
import io.mqttintegration.runtime.api.TelemetryApi;
import io.mqttintegration.runtime.api.TelemetryExport;
import io.mqttintegration.runtime.auth.Authenticator;
import io.mqttintegration.runtime.auth.LiveKeys;
import io.mqttintegration.runtime.cache.ExpiringCache;
import io.mqttintegration.runtime.internals.EventLoopHttpEngine;
import io.mqttintegration.runtime.health.HealthReport;
import io.mqttintegration.runtime.http.JsonRequests;
import io.mqttintegration.runtime.ingest.IngestTargets;
import io.mqttintegration.runtime.ingest.IntegrationParsers;
import io.mqttintegration.runtime.ingest.WriterTurns;
import io.mqttintegration.runtime.parsers.ParserFiles;
import io.mqttintegration.runtime.parsers.ParserRegistry;
import io.mqttintegration.security.ApiKeys;
import io.mqttintegration.security.DevicePasswords;
import io.mqttintegration.runtime.broker.HostedCommands;
import io.mqttintegration.runtime.broker.ConnectedDevices;
import io.mqttintegration.runtime.broker.HostedParts;
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
import io.mqttintegration.runtime.ingest.IngestMeters;
import io.mqttintegration.runtime.ingest.IngestQueue;
import io.mqttintegration.runtime.ingest.IngestReplies;
import io.mqttintegration.runtime.ingest.IngestRequestDecoder;
import io.mqttintegration.runtime.ingest.MessageParsing;
import io.mqttintegration.runtime.routes.ApiOperations;
import io.mqttintegration.runtime.routes.RouteFileDeployer;
import io.mqttintegration.runtime.routes.FolderWatcher;
import io.mqttintegration.runtime.internals.ProductCamelContext;
import io.mqttintegration.storage.DeadLetterStore;
import io.mqttintegration.storage.MessageWriter;
import io.mqttintegration.storage.PartitionMaintenance;
import io.mqttintegration.storage.RetentionPurge;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.runtime.storage.StorageMaintenance;
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
import org.apache.camel.spi.RestConfiguration;
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
    /** Keys (or integrations) kept per cache; beyond, expired entries go first. */
    static final int CACHE_ENTRIES = 100_000;

    private final DataSource dataSource;
    private final Settings settings;
    private final Path home;
    private DefaultCamelContext context;
    private RouteFileDeployer deployer;
    private final List<FolderWatcher> watchers = new java.util.ArrayList<>();
    private ParserFiles parserFiles;
    private BrokerClients brokerClients;
    private Subscriptions subscriptions;
    private Metrics metrics;
    /** The PIDs' values, validated at the start of {@link #start}. */
    private ProductConfig config;
    /** The HTTP server's Vert.x: ours, not Camel's (Camel closes only one it made), so closed here. */
    private Vertx vertx;
    private int httpPort;
    /** Started and not closing: until then a request no route answers gets 503, not 404 (JsonRouterErrors). */
    private volatile boolean serving;
    private final LastFailures lastFailures = new LastFailures(Clock.systemUTC());
    private OperatorConsole console;
    private final BrokerTargets.Resolver resolver;
    private StorageMaintenance storageMaintenance;
    /** What the hosted broker (its own component) needs of this service; set by start(). */
    private HostedParts hostedParts;

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
    }

    public void start() throws Exception {
        // Every PID's values, validated before anything is built: a wrong one stops here, named.
        config = ProductConfig.from(settings, home);
        int migrations = SchemaMigrations.apply(dataSource);
        LOG.info("Database schema up to date ({} migrations applied now)", migrations);
        IngestConfig.Storage storage = config.ingest().storage();
        PartitionMaintenance partitions = new PartitionMaintenance(dataSource, Clock.systemUTC(), storage.partitionDaysAhead(),
                Duration.ofMillis(storage.lockTimeoutMs()));
        storageMaintenance = new StorageMaintenance(partitions, new RetentionPurge(dataSource, partitions, Clock.systemUTC(),
                new RetentionPurge.Settings(storage.retentionDays(), storage.deadLetterRetentionDays(),
                        storage.activityRetentionDays(), storage.purgeBatchSize(), Duration.ofMillis(storage.purgePauseMs()),
                        Duration.ofMillis(storage.lockTimeoutMs()))));
        storageMaintenance.start();

        context = new ProductCamelContext();
        context.getCamelContextExtension().setName(CONTEXT_NAME);
        // Inside the bundle, Camel must find its plugins (YAML DSL, components) on the bundle's class loader.
        context.setApplicationContextClassLoader(ProductRuntime.class.getClassLoader());
        context.getPropertiesComponent().setInitialProperties(settings.asProperties());
        context.getShutdownStrategy().setTimeout(30);
        context.setRestConfiguration(restConfiguration());
        bindBeans(context.getRegistry());
        // On every route, before the first is added: exchanges per route into /metrics, and the
        // last failure of each for mqtt:route-list.
        context.addRoutePolicyFactory(new RouteMetrics(metrics.registry(), id -> !Subscriptions.isSubscriptionRoute(id)));
        context.addRoutePolicyFactory(lastFailures);

        VertxPlatformHttpServer server = httpServer();
        context.addService(server);
        context.start();
        if (server.getServer() == null || server.getServer().actualPort() <= 0) {
            throw new IllegalStateException("the HTTP API could not listen on " + config.http().host() + ":"
                    + httpPort + " (port in use?)");
        }
        if (server.getServer().requestHandler() instanceof Router root) {
            JsonRouterErrors.install(root, config.http().maxBodyBytes(), () -> serving);
        }

        RoutesConfig routes = config.routes();
        parserFiles.deployAll(FolderWatcher.filesOf(routes.parsersDir(), parserFiles));
        List<String> errors = deployer.deployAll(FolderWatcher.filesOf(routes.routesDir(), deployer));
        LOG.info("Loaded {} route files from {} ({} rejected); HTTP API on {}:{}", deployer.files().size(), routes.routesDir(),
                errors.size(), config.http().host(), httpPort);
        deployer.onTemplatesChanged(subscriptions::routeFilesChanged);
        subscriptions.startAll();
        serving = true;
        storageMaintenance.schedule(storage.maintenanceIntervalMinutes());
        if (routes.reloadEnabled()) {
            int interval = routes.reloadIntervalMs();
            watchers.add(new FolderWatcher(routes.parsersDir(), parserFiles, interval));
            watchers.add(new FolderWatcher(routes.routesDir(), deployer, interval));
            for (FolderWatcher watcher : watchers) {
                watcher.start();
            }
        }
    }

    private void bindBeans(Registry registry) throws IOException {
        int maxBody = config.http().maxBodyBytes();
        IngestConfig ingest = config.ingest();
        // Routes on Camel's platform-http engine run each request on a Vert.x worker thread (the API's
        // database work): size them for the requests that may run at once. The HTTP server Camel makes
        // with this Vert.x carries the idle and request timeouts and the connection cap (HttpServerGuard).
        vertx = Vertx.vertx(new VertxOptions().setWorkerPoolSize(config.http().workerThreads()));
        DeadLetterStore deadLetterStore = new DeadLetterStore(dataSource);
        MessageWriter writer = new MessageWriter(dataSource, deadLetterStore);
        Tenancy tenancy = new Tenancy(dataSource);
        IntegrationStore integrations = new IntegrationStore(tenancy);
        ParserRegistry parserRegistry = new ParserRegistry();
        IntegrationParsers parsers = new IntegrationParsers(integrations, parserRegistry, 5_000);
        parserFiles = new ParserFiles(parserRegistry);
        parserRegistry.onChange(parsers::clear);
        MessageParsing parsing = new MessageParsing(parsers::parserFor);
        IngestQueue queue = new IngestQueue(context, "ingest", ingest.queueSize(), ingest.batchSize(), new WriterTurns(ingest.overlapAt()));
        ApiOperations operations = new ApiOperations();
        deployer = new RouteFileDeployer(context, operations);

        registry.bind("dataSource", dataSource);
        registry.bind("ingestDecoder", new IngestRequestDecoder(maxBody, ingest.requestMaxMessages(), Clock.systemUTC()));
        registry.bind("ingestQueue", queue);
        registry.bind("ingestReplies", new IngestReplies(ingest.commitTimeoutMs()));
        registry.bind("messageParser", parsing);
        registry.bind("messageWriter", writer);
        registry.bind("deadLetters", new DeadLetterHandler(deadLetterStore));
        EventLoopHttpEngine eventLoopHttp = new EventLoopHttpEngine();
        eventLoopHttp.setCamelContext(context);
        registry.bind("eventLoopHttp", eventLoopHttp);
        registry.bind("httpErrors", new HttpErrors(ingest.retryAfterSeconds()));
        registry.bind("healthReport", new HealthReport(context, dataSource, queue, parsing, writer, deadLetterStore, deployer));
        ApiParts api = bindApi(registry, vertx, queue, maxBody, tenancy, integrations, parsers, parserRegistry, operations);
        // Made with the API's beans, closed by close(); the lines below need them.
        subscriptions = api.subscriptions();
        brokerClients = api.brokerClients();
        metrics = new Metrics();
        IngestMeters.bind(metrics.registry(), queue);
        metrics.beforeScrape(new SubscriptionMeters(metrics.registry(), subscriptions::statuses)::refresh);
        hostedParts = api.hostedParts().withMeters(metrics.registry());
        writer.onBatch(metrics::batch);
        StorageMetrics.register(metrics.registry(), storageMaintenance);
        registry.bind("metrics", metrics);
        context.getManagementStrategy().addEventNotifier(new HttpRequestMetrics(metrics));
        registry.bind("vertx", HttpServerGuard.guard(vertx,
                new HttpServerGuard.Limits(config.http().idleTimeoutSeconds(), config.http().requestTimeoutSeconds(),
                        config.http().maxConnections())));
        console = new OperatorConsole(new OperatorConsole.Parts(context, deployer, config.routes().routesDir(),
                new RouteCounts(metrics.registry()), lastFailures, integrations,
                api.targets(), api.tester(), api.activity(), subscriptions, queue, parsing, writer, metrics, parserRegistry,
                deadLetterStore, ingest.commitTimeoutMs(), Clock.systemUTC(), storageMaintenance));
    }

    /** What the API's wiring made that the rest of the service uses. */
    private record ApiParts(IntegrationTargets targets, ConnectionTester tester, ActivityLog activity,
            Subscriptions subscriptions, BrokerClients brokerClients, HostedParts hostedParts) {
    }

    /** Authentication, tenants, integrations: the beans of the /api/v1 routes. */
    private ApiParts bindApi(Registry registry, Vertx vertx, IngestQueue queue, int maxBody, Tenancy tenancy, IntegrationStore integrations,
            IntegrationParsers parsers, ParserRegistry parserRegistry, ApiOperations operations) throws IOException {
        SecurityConfig security = config.security();
        MqttConfig mqtt = config.mqtt();
        Path securityDir = security.dir();
        ServerSecrets secrets = ServerSecrets.load(securityDir.resolve("secrets"), security.masterKey(), security.keyHashSecret());
        ApiKeys apiKeys = new ApiKeys(secrets.hashKey());
        OperatorKey operatorKey = OperatorKey.load(apiKeys, security.operatorKey(),
                securityDir.resolve("operator.key"), securityDir.resolve("secrets/operator.key.hash"));
        OrganizationStore organizations = new OrganizationStore(tenancy);
        ApiKeyStore keys = new ApiKeyStore(tenancy);
        ActivityLog activity = new ActivityLog(tenancy);

        // Keys and integrations read per request are kept at most keyCacheMillis (<= 1 s): a key
        // revoked or an integration deleted through another node is refused within that time.
        Duration cacheTime = Duration.ofMillis(security.keyCacheMillis());
        LiveKeys liveKeys = new LiveKeys(keys, new ExpiringCache<>(cacheTime, CACHE_ENTRIES, System::nanoTime));
        IngestTargets ingestTargets = new IngestTargets(integrations,
                new ExpiringCache<>(cacheTime, CACHE_ENTRIES, System::nanoTime));
        Authenticator authenticator = new Authenticator(operatorKey, apiKeys, liveKeys,
                new RateLimiter<>(security.authFailuresPerMinute()), operations);
        registry.bind("auth", authenticator);
        registry.bind("apiRequests", new ApiRequests(new JsonRequests(maxBody), operations));
        registry.bind("ingestTargets", ingestTargets);
        // routes/http-ingest.camel.yaml runs on the event loop: these move a request to a worker
        // thread when its key, or an integration it names, must be read from the database.
        registry.bind("ingestKeyLookup", new WorkerHop(vertx, authenticator::ingestNeedsNoLookup));
        registry.bind("ingestIntegrationLookup", new WorkerHop(vertx, e -> ingestTargets.assignNeedsNoLookup(e, parsers::holds)));
        Quotas quotas = quotas(tenancy);
        registry.bind("organizationsApi", new OrganizationsApi(organizations, quotas, config.ingest().storage().retentionDays()));
        registry.bind("apiKeysApi", new ApiKeysApi(apiKeys, keys, organizations, integrations, liveKeys));
        BrokerTargets brokerTargets = new BrokerTargets(mqtt.allowPrivateTargets(), BrokerTargets.allowList(mqtt.allowedTargets(), resolver),
                resolver);
        if (brokerTargets.warning() != null) {
            LOG.warn(brokerTargets.warning());
        }
        BrokerClients brokerClients = new BrokerClients(brokerTargets, mqtt.connectTimeoutSeconds());
        String nodeId = NodeId.resolve(mqtt.nodeId(), securityDir.resolve("node.id"));
        SecretBox secretBox = new SecretBox(secrets.masterKey());
        IntegrationTargets integrationTargets = new IntegrationTargets(secretBox, nodeId);
        SubscriptionStore subscriptionStore = new SubscriptionStore(tenancy);
        Subscriptions subscriptions = new Subscriptions(context, subscriptionStore, integrations, integrationTargets, brokerTargets, activity,
                new Subscriptions.Settings(mqtt.connectTimeoutSeconds(), mqtt.connackTimeoutSeconds(), mqtt.maxRetrySeconds(),
                        mqtt.maxReconnectDelayMs(),
                        mqtt.maxRedeliverySeconds(),
                        // as long as a message may take to commit
                        config.ingest().commitTimeoutSeconds(), nodeId, mqtt.syncSeconds()), deployer.transitions());
        registry.bind("mqttInbound", new MqttInbound(subscriptions, Clock.systemUTC()));
        registry.bind("mqttAwaitStored", new AwaitStored(subscriptions::stored));
        registry.bind("mqttDeliveryFailures", new DeliveryFailures(subscriptions));
        registry.bind("subscriptionsApi", new SubscriptionsApi(tenancy, integrations, subscriptionStore, activity, subscriptions,
                quotas));
        ConnectionTester tester = new ConnectionTester(brokerTargets, mqtt.testTimeoutSeconds());
        CredentialStore credentials = new CredentialStore(tenancy);
        HostedCommands hostedCommands = new HostedCommands();
        registry.bind("brokerApi", new BrokerApi(integrations, activity, integrationTargets, brokerClients, tester,
                new RateLimiter<>(mqtt.testsPerMinute()), quotas, credentials, hostedCommands));
        registry.bind("integrationsApi", new IntegrationsApi(tenancy, integrations, activity, new IntegrationSettings(parserRegistry::names),
                secretBox,
                List.of((org, id) -> parsers.invalidate(id), (org, id) -> brokerClients.invalidate(id), subscriptions::integrationChanged,
                        liveKeys::integrationChanged, ingestTargets::integrationChanged),
                subscriptions::view, quotas));
        TelemetryStore telemetry = new TelemetryStore(tenancy);
        registry.bind("telemetryApi", new TelemetryApi(telemetry, integrations));
        registry.bind("telemetryExport", new TelemetryExport(telemetry, integrations, vertx, config.http().exportsAtOnce()));
        registry.bind("openApiErrors", new OpenApiErrors());
        DevicePasswords devicePasswords = new DevicePasswords(secrets.hashKey());
        registry.bind("credentialsApi", new CredentialsApi(tenancy, integrations, credentials, activity, devicePasswords, quotas));
        HostedParts hostedParts = new HostedParts(credentials, devicePasswords, queue, config.ingest().commitTimeoutMs(), org -> {
            Quotas.DeviceLimits l = quotas.deviceLimits(org);
            return new ConnectedDevices.Limits(l.connectedDevices(), l.messagesPerSecond());
        }, config.quotas().deviceBurstSeconds(), hostedCommands, null);
        return new ApiParts(integrationTargets, tester, activity, subscriptions, brokerClients, hostedParts);
    }

    /** Per-organization quotas with the defaults of the PID mqtt.integration.quotas. */
    private Quotas quotas(Tenancy tenancy) {
        Map<Quota, Integer> defaults = new EnumMap<>(Quota.class);
        QuotasConfig q = config.quotas();
        defaults.put(Quota.INTEGRATIONS, q.integrations());
        defaults.put(Quota.SUBSCRIPTIONS, q.subscriptions());
        defaults.put(Quota.CREDENTIALS, q.credentials());
        defaults.put(Quota.PUBLISH_PER_SECOND, q.publishPerSecond());
        defaults.put(Quota.CONNECTED_DEVICES, q.connectedDevices());
        defaults.put(Quota.DEVICE_MESSAGES_PER_SECOND, q.deviceMessagesPerSecond());
        return new Quotas(new QuotaStore(tenancy), defaults, new RateLimiter<>(0, Duration.ofSeconds(1)));
    }

    /**
     * How the REST operations of the route files are served: on platform-http (the server above),
     * no binding (the routes read and write JSON themselves, with the API's own error bodies), and
     * their OpenAPI document at {@code GET /api/v1/openapi.json} (the route api-openapi serves it).
     */
    static RestConfiguration restConfiguration() {
        RestConfiguration rest = new RestConfiguration();
        rest.setComponent("platform-http");
        rest.setBindingMode(RestConfiguration.RestBindingMode.off);
        // RouteFileDeployer makes each operation's route from the route it sends to.
        rest.setInlineRoutes(false);
        rest.setApiContextPath(OPENAPI_PATH);
        rest.setApiContextRouteId("api-openapi");
        // The document is made at each request, from the operations deployed then (route files
        // reload), with the server URL the client used (Host, or X-Forwarded-Host/-Proto/-Prefix
        // behind a proxy); otherwise Camel renders it once, when its route starts.
        rest.setUseXForwardHeaders(true);
        rest.setApiProperties(new java.util.LinkedHashMap<>(Map.of(
                "api.title", "mqtt-integration API",
                "api.version", "v1",
                "api.description", "Organizations, API keys, integrations with their MQTT brokers, subscriptions, device "
                        + "credentials and telemetry (docs/api.md). Every operation needs Authorization: Bearer <key> "
                        + "with the scope it names; errors are JSON {error, detail, field?}.",
                "api.specification.contentType.json", "application/json")));
        return rest;
    }

    /** Where the OpenAPI document of the REST operations is served. */
    public static final String OPENAPI_PATH = "/api/v1/openapi.json";

    private VertxPlatformHttpServer httpServer() {
        HttpConfig http = config.http();
        httpPort = http.port();
        VertxPlatformHttpServerConfiguration server = new VertxPlatformHttpServerConfiguration();
        server.setBindHost(http.host());
        server.setBindPort(httpPort);
        server.setMaxBodySize((long) http.maxBodyBytes());
        Path file = http.keyStore();
        if (file != null) {
            if (!java.nio.file.Files.isReadable(file)) {
                throw new IllegalStateException("http.tls.keyStore " + file + " cannot be read");
            }
            org.apache.camel.support.jsse.KeyStoreParameters store = new org.apache.camel.support.jsse.KeyStoreParameters();
            store.setResource("file:" + file);
            store.setPassword(http.keyStorePassword());
            org.apache.camel.support.jsse.KeyManagersParameters keys = new org.apache.camel.support.jsse.KeyManagersParameters();
            keys.setKeyStore(store);
            keys.setKeyPassword(http.keyStorePassword());
            org.apache.camel.support.jsse.SSLContextParameters tls = new org.apache.camel.support.jsse.SSLContextParameters();
            tls.setKeyManagers(keys);
            server.setSslContextParameters(tls);
            LOG.info("The HTTP API serves TLS with the key store {}", file);
        }
        return new VertxPlatformHttpServer(server);
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

    /** What the hosted MQTT broker needs of this service (after {@link #start}). */
    public HostedParts hostedParts() {
        return hostedParts;
    }

    public int httpPort() {
        return httpPort;
    }

    /** Stops route reloading, then Camel: the SEDA queue drains and pending batches are written. */
    @Override
    public void close() {
        serving = false;
        if (storageMaintenance != null) {
            storageMaintenance.close();
        }
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
