package io.mqttintegration.runtime;

import io.mqttintegration.spi.config.Settings;
import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import io.mqttintegration.broker.BrokerConfig;
import io.mqttintegration.runtime.config.ProductConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Runs the real product for a test: the shipped defaults, a copy of the shipped route
 * files from routes/ (so a test may edit them), a free HTTP port and the given database.
 */
public final class RuntimeHarness implements AutoCloseable {

    public static final String OPERATOR_KEY = "test-operator-key-0123456789-abcdefghijklmnop";

    public final Path routesDir;
    public final ProductRuntime runtime;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The key postJson/post/get send; set by {@link #withIngestKey()}. */
    private String defaultKey;
    public String organizationId;
    public String integrationId;
    public String ingestKey;
    /** The admin key of the organization {@link #withIngestKey} made. */
    public String adminKey;

    private RuntimeHarness(Path routesDir, ProductRuntime runtime) {
        this.routesDir = routesDir;
        this.runtime = runtime;
    }

    public static RuntimeHarness start(DataSource dataSource, Path workDir, Map<String, String> overrides) throws Exception {
        return start(dataSource, workDir, overrides, java.net.InetAddress::getAllByName);
    }

    /** @param resolver the answers broker host names get (a test's own DNS) */
    public static RuntimeHarness start(DataSource dataSource, Path workDir, Map<String, String> overrides,
            io.mqttintegration.runtime.mqtt.BrokerTargets.Resolver resolver) throws Exception {
        Map<String, Object> values = new TreeMap<>(shippedDefaults());
        values.put("http.host", "127.0.0.1");
        values.put("http.port", Integer.toString(freePort()));
        values.put("routes.reload.intervalMs", "100");
        values.put("security.operatorKey", OPERATOR_KEY);
        // The tests' brokers (Mosquitto) listen on 127.0.0.1; the shipped default refuses it.
        values.put("mqtt.allowPrivateTargets", "true");
        values.putAll(overrides);
        return startWith(dataSource, workDir, new Settings(values), resolver);
    }

    /**
     * Runs the product with exactly these settings (nothing filled in: what they leave out takes the
     * service's defaults, as in Karaf), with the shipped route and parser files in workDir's
     * {@code routes/} and {@code parsers/}, the default folders.
     */
    public static RuntimeHarness startWith(DataSource dataSource, Path workDir, Settings settings,
            io.mqttintegration.runtime.mqtt.BrokerTargets.Resolver resolver) throws Exception {
        Path routes = Files.createDirectories(workDir.resolve("routes"));
        try (Stream<Path> shipped = Files.list(Path.of(System.getProperty("mqi.routes.dir")))) {
            for (Path file : shipped.toList()) {
                Files.copy(file, routes.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path parsers = Files.createDirectories(workDir.resolve("parsers"));
        try (Stream<Path> shipped = Files.list(Path.of(System.getProperty("mqi.parsers.dir")))) {
            for (Path file : shipped.toList()) {
                Files.copy(file, parsers.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        ProductRuntime runtime = new ProductRuntime(dataSource, settings, workDir, resolver);
        try {
            runtime.start();
        } catch (Exception e) {
            runtime.close();
            throw e;
        }
        return new RuntimeHarness(routes, runtime);
    }

    /** Every PID of the product: the service's and the hosted broker's (its own bundle). */
    public static final List<ConfigPid> ALL_PIDS = Stream.concat(ProductConfig.PIDS.stream(), Stream.of(BrokerConfig.PID)).toList();

    /**
     * Every key of the service and of the hosted broker with its default, as a fresh install runs
     * with no environment set: declared in the config records; the shipped etc/mqtt.integration.*.cfg
     * list the same, commented out (ShippedConfigFilesTest).
     */
    public static Map<String, String> shippedDefaults() {
        Map<String, String> values = new TreeMap<>();
        for (ConfigPid pid : ALL_PIDS) {
            for (ConfigKey key : pid.keys()) {
                values.put(key.name(), key.defaultValue());
            }
        }
        return values;
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + runtime.httpPort() + path);
    }

    /**
     * Creates an organization, an integration and an ingest key bound to it (with the operator key
     * and an admin key, through the API), and makes that key the default for post/get.
     */
    public RuntimeHarness withIngestKey() throws Exception {
        organizationId = field(send("POST", "/api/v1/organizations", OPERATOR_KEY, "{\"name\":\"test org\"}"), "id");
        String admin = field(send("POST", "/api/v1/organizations/" + organizationId + "/api-keys", OPERATOR_KEY,
                "{\"name\":\"admin\",\"scopes\":[\"admin\"]}"), "key");
        adminKey = admin;
        integrationId = field(send("POST", "/api/v1/integrations", admin,
                "{\"name\":\"test broker\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}"), "id");
        ingestKey = field(send("POST", "/api/v1/organizations/" + organizationId + "/api-keys", admin,
                "{\"name\":\"ingest\",\"scopes\":[\"ingest\"],\"integrationId\":\"" + integrationId + "\"}"), "key");
        defaultKey = ingestKey;
        return this;
    }

    /** An organization and an admin key of it, made with the operator key through the API. */
    public record Tenant(String organizationId, String adminKey) {
    }

    public Tenant createOrganization(String name) throws Exception {
        String org = field(send("POST", "/api/v1/organizations", OPERATOR_KEY,
                io.mqttintegration.parsers.Json.strict().writeValueAsString(Map.of("name", name))), "id");
        String admin = field(send("POST", "/api/v1/organizations/" + org + "/api-keys", OPERATOR_KEY,
                "{\"name\":\"admin\",\"scopes\":[\"admin\"]}"), "key");
        return new Tenant(org, admin);
    }

    private static String field(HttpResponse<String> response, String name) throws Exception {
        if (response.statusCode() != 201) {
            throw new IllegalStateException(response.statusCode() + " " + response.body());
        }
        return io.mqttintegration.parsers.Json.strict().readTree(response.body()).path(name).asText();
    }

    /** Any request; key null sends no Authorization header; body null sends none. */
    public HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
        return send(method, path, key, body == null ? null : "application/json", body);
    }

    public HttpResponse<String> send(String method, String path, String key, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return send("POST", path, defaultKey, contentType, body);
    }

    public HttpResponse<String> postJson(String path, String body) throws Exception {
        return post(path, "application/json", body);
    }

    public HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, defaultKey, null, null);
    }

    @Override
    public void close() {
        runtime.close();
    }
}
