package io.mqttintegration.runtime.api;

import io.mqttintegration.runtime.auth.AuthWiring;
import io.mqttintegration.runtime.auth.SessionsApi;
import io.mqttintegration.runtime.broker.HostedParts;
import io.mqttintegration.runtime.config.ProductConfig;
import io.mqttintegration.runtime.http.JsonRequests;
import io.mqttintegration.runtime.ingest.IngestWiring;
import io.mqttintegration.runtime.integrations.IntegrationSettings;
import io.mqttintegration.runtime.mqtt.ConnectionTester;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import io.mqttintegration.runtime.quotas.Quotas;
import io.mqttintegration.runtime.routes.ApiOperations;
import io.mqttintegration.runtime.sinks.SinksWiring;
import io.mqttintegration.runtime.storage.StorageWiring;
import io.mqttintegration.runtime.subscriptions.Subscriptions;
import io.mqttintegration.runtime.subscriptions.SubscriptionsWiring;
import io.mqttintegration.runtime.routes.RouteFileDeployer;
import io.mqttintegration.runtime.web.LiveStreams;
import io.mqttintegration.runtime.web.WebFiles;
import io.mqttintegration.storage.presence.DeviceStore;
import io.mqttintegration.storage.tenants.OrganizationStore;
import io.mqttintegration.storage.tenants.TelemetryStore;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.RestConfiguration;

/**
 * The API's wiring: the beans of the /api/v1 routes (organizations, keys, integrations, brokers,
 * subscriptions, credentials, sinks, telemetry, devices) and how their REST operations are served.
 */
public final class ApiWiring {

    /** Where the OpenAPI document of the REST operations is served. */
    public static final String OPENAPI_PATH = "/api/v1/openapi.json";

    /**
     * What the other areas need of the API: its broker connection test (the console runs it too), and
     * the live message streams (ended before Camel stops) and their handler, installed on the HTTP server once it listens.
     */
    public record Parts(ConnectionTester tester, LiveStreams liveStreams, LiveApi live) {
    }

    /** The areas the API's beans use. */
    public record Needs(ProductConfig config, Vertx vertx, ApiOperations operations, StorageWiring.Parts storage,
            AuthWiring.Parts auth, IngestWiring.Parts ingest, SubscriptionsWiring.Parts subscriptions, Quotas quotas,
            HostedParts hosted, SinksWiring.Parts sinks, RouteFileDeployer deployer) {
    }

    private ApiWiring() {
    }

    public static Parts wire(Registry registry, Needs needs) {
        ProductConfig config = needs.config();
        StorageWiring.Parts storage = needs.storage();
        AuthWiring.Parts auth = needs.auth();
        SubscriptionsWiring.Parts subs = needs.subscriptions();
        Subscriptions subscriptions = subs.subscriptions();
        Quotas quotas = needs.quotas();
        HostedParts hosted = needs.hosted();
        OrganizationStore organizations = new OrganizationStore(storage.tenancy());
        registry.bind("apiRequests", new ApiRequests(new JsonRequests(config.http().maxBodyBytes()), needs.operations()));
        // The web console: its files and Swagger UI (routes/console.camel.yaml), its sessions (api-session.camel.yaml).
        registry.bind("webFiles", new WebFiles(config.console().enabled()));
        registry.bind("sessionsApi", new SessionsApi(auth.authenticator(), auth.sessions(), new JsonRequests(config.http().maxBodyBytes())));
        registry.bind("organizationsApi", new OrganizationsApi(organizations, quotas, config.ingest().storage().retentionDays()));
        registry.bind("apiKeysApi", new ApiKeysApi(auth.apiKeys(), auth.keys(), organizations, storage.integrations(), auth.liveKeys()));
        registry.bind("subscriptionsApi", new SubscriptionsApi(storage.tenancy(), storage.integrations(), subs.store(), storage.activity(),
                subscriptions, quotas));
        ConnectionTester tester = new ConnectionTester(subs.brokerTargets(), config.mqtt().testTimeoutSeconds());
        registry.bind("brokerApi", new BrokerApi(storage.integrations(), storage.activity(), subs.integrationTargets(), subs.brokerClients(),
                tester, new RateLimiter<>(config.mqtt().testsPerMinute()), quotas, hosted.commands()));
        IngestWiring.Parts ingest = needs.ingest();
        registry.bind("integrationsApi", new IntegrationsApi(storage.tenancy(), storage.integrations(), storage.activity(),
                new IntegrationSettings(ingest.parserRegistry()::names), subs.secretBox(),
                List.of((org, id) -> ingest.parsers().invalidate(id), (org, id) -> subs.brokerClients().invalidate(id),
                        subscriptions::integrationChanged, auth.liveKeys()::integrationChanged, ingest.targets()::integrationChanged),
                subscriptions::view, quotas));
        TelemetryStore telemetry = new TelemetryStore(storage.tenancy());
        registry.bind("telemetryApi", new TelemetryApi(telemetry, storage.integrations()));
        registry.bind("telemetryExport", new TelemetryExport(telemetry, storage.integrations(), needs.vertx(), config.http().exportsAtOnce()));
        registry.bind("devicesApi", new DevicesApi(new DeviceStore(storage.tenancy()), storage.integrations()));
        registry.bind("openApiErrors", new OpenApiErrors());
        registry.bind("credentialsApi", new CredentialsApi(storage.tenancy(), storage.integrations(), hosted.credentials(), storage.activity(),
                hosted.passwords(), quotas));
        SinksWiring.Parts sinks = needs.sinks();
        registry.bind("sinksApi", new SinksApi(storage.tenancy(), storage.integrations(), sinks.store(), storage.activity(), sinks.kinds(),
                sinks.secrets(), subs.brokerTargets(), sinks.tester(), hosted.commands(), new RateLimiter<>(config.mqtt().testsPerMinute()),
                sinks.dispatcher()::claim));
        // The console's operations: a parser dry-run, live messages, the route files (operator).
        registry.bind("parsersApi", new ParsersApi(storage.integrations(), ingest.parsers()));
        // Live streams at once on this node: a quarter of the worker threads, as when each held one.
        LiveStreams liveStreams = new LiveStreams(config.console().liveEventsPerSecond(), config.console().liveStreams());
        ingest.writer().onCommit(liveStreams);
        LiveApi live = new LiveApi(auth.authenticator(), storage.integrations(), liveStreams);
        registry.bind("liveApi", live);
        registry.bind("routeFilesApi", new RouteFilesApi(needs.deployer()));
        registry.bind("deadLettersApi", new DeadLettersApi(ingest.deadLetters(), ingest.deadLetterReplay()));
        return new Parts(tester, liveStreams, live);
    }

    /**
     * How the REST operations of the route files are served: on platform-http (the server above),
     * no binding (the routes read and write JSON themselves, with the API's own error bodies), and
     * their OpenAPI document at {@code GET /api/v1/openapi.json} (the route api-openapi serves it).
     */
    public static RestConfiguration restConfiguration() {
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
        rest.setApiProperties(new LinkedHashMap<>(Map.of(
                "api.title", "mqtt-integration API",
                "api.version", "v1",
                "api.description", "Organizations, API keys, integrations with their MQTT brokers, subscriptions, device "
                        + "credentials, sinks, telemetry and device presence (docs/api.md). Every operation needs Authorization: Bearer <key> "
                        + "with the scope it names; errors are JSON {error, detail, field?}.",
                "api.specification.contentType.json", "application/json")));
        return rest;
    }
}
