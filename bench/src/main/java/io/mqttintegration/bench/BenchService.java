package io.mqttintegration.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.ProductRuntime;
import io.mqttintegration.spi.config.Settings;
import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
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
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * What every benchmark starts: a throw-away PostgreSQL with fsync and synchronous commit on (zonky's
 * defaults are off), a HikariCP pool as in Karaf (8 connections), and the real service in this JVM
 * with the shipped etc/ defaults and route files, plus an organization, an admin key, an integration
 * and an ingest key made through the API.
 */
public final class BenchService implements AutoCloseable {

    static final String OPERATOR = "bench-operator-key-0123456789-abcdefghijklmnop";
    private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:[A-Z0-9_]+:-([^}]*)}");

    final EmbeddedDatabase pg;
    final HikariDataSource db;
    final ProductRuntime service;
    final String base;
    final String organizationId;
    final String adminKey;
    final String integrationId;
    final String ingestKey;
    private final HttpClient http = HttpClient.newHttpClient();

    private BenchService(EmbeddedDatabase pg, HikariDataSource db, ProductRuntime service, String org, String admin,
            String integration, String ingest) {
        this.pg = pg;
        this.db = db;
        this.service = service;
        this.base = "http://127.0.0.1:" + service.httpPort() + "/api/v1";
        this.organizationId = org;
        this.adminKey = admin;
        this.integrationId = integration;
        this.ingestKey = ingest;
    }

    /** @param overrides settings that replace the shipped etc/ defaults (e.g. from -Dmqi.x=y) */
    static BenchService start(Map<String, String> overrides) throws Exception {
        EmbeddedDatabase pg = EmbeddedDatabase.start(null, 0, true);
        HikariConfig pool = new HikariConfig();
        pool.setDataSource(pg.dataSource("postgres"));
        pool.setMaximumPoolSize(8);
        pool.setConnectionTimeout(2000);
        HikariDataSource db = new HikariDataSource(pool);
        Path work = Files.createTempDirectory("mqi-bench");
        Path repo = repoRoot();
        copy(repo.resolve("routes"), Files.createDirectories(work.resolve("routes")));
        copy(repo.resolve("parser-files"), Files.createDirectories(work.resolve("parsers")));
        Map<String, Object> settings = new TreeMap<>(shippedDefaults(repo.resolve("etc")));
        settings.put("http.host", "127.0.0.1");
        settings.put("http.port", Integer.toString(freePort()));
        settings.put("routes.dir", "routes");
        settings.put("parsers.dir", "parsers");
        settings.put("routes.reload.enabled", "false");
        settings.put("security.dir", "data");
        settings.put("security.operatorKey", OPERATOR);
        settings.put("mqtt.allowPrivateTargets", "true");
        settings.putAll(overrides);
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("mqi.set.")) {
                settings.put(k.toString().substring("mqi.set.".length()), v.toString());
            }
        });
        ProductRuntime service = new ProductRuntime(db, new Settings(settings), work, java.net.InetAddress::getAllByName);
        service.start();
        String base = "http://127.0.0.1:" + service.httpPort() + "/api/v1";
        HttpClient http = HttpClient.newHttpClient();
        String org = post(http, base + "/organizations", OPERATOR, "{\"name\":\"bench\"}").path("id").asText();
        String admin = post(http, base + "/organizations/" + org + "/api-keys", OPERATOR,
                "{\"name\":\"a\",\"scopes\":[\"admin\"]}").path("key").asText();
        String integration = post(http, base + "/integrations", admin,
                "{\"name\":\"bench\",\"settings\":{\"host\":\"127.0.0.1\"}}").path("id").asText();
        String ingest = post(http, base + "/organizations/" + org + "/api-keys", admin,
                "{\"name\":\"gw\",\"scopes\":[\"ingest\"],\"integrationId\":\"" + integration + "\"}").path("key").asText();
        return new BenchService(pg, db, service, org, admin, integration, ingest);
    }

    /** The repository's root: the benchmarks run from it or from bench/. */
    static Path repoRoot() {
        Path here = Path.of("").toAbsolutePath();
        return Files.isDirectory(here.resolve("routes")) ? here : here.getParent();
    }

    private static void copy(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * Every key of the service with the value a node with this etc/ runs with when no environment is set: the
     * defaults declared in the config records, overridden by the keys etc/mqtt.integration.*.cfg sets
     * (the shipped files set none but the secrets' references).
     */
    static Map<String, String> shippedDefaults(Path etc) throws IOException {
        Map<String, String> values = new TreeMap<>();
        for (ConfigPid pid : ProductConfig.PIDS) {
            for (ConfigKey key : pid.keys()) {
                values.put(key.name(), key.defaultValue());
            }
        }
        try (Stream<Path> files = Files.list(etc)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("mqtt.integration.")).toList()) {
                for (String line : Files.readAllLines(file)) {
                    String t = line.trim();
                    if (t.isEmpty() || t.startsWith("#") || !t.contains("=")) {
                        continue;
                    }
                    Matcher m = ENV_DEFAULT.matcher(t.substring(t.indexOf('=') + 1).trim());
                    values.put(t.substring(0, t.indexOf('=')).trim(), m.replaceAll(r -> Matcher.quoteReplacement(r.group(1))));
                }
            }
        }
        return values;
    }

    JsonNode post(String path, String key, String body) throws Exception {
        return post(http, base + path, key, body);
    }

    JsonNode get(String path, String key) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
        }
        return Json.strict().readTree(r.body());
    }

    static JsonNode post(HttpClient http, String url, String key, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(url + ": " + r.statusCode() + " " + r.body());
        }
        return Json.strict().readTree(r.body());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Rows in mqtt_messages (as the operator: row-level security hides them otherwise). */
    long storedRows() throws Exception {
        try (var c = db.getConnection(); var st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SET LOCAL mqi.operator = 'on'");
            try (var rs = st.executeQuery("SELECT count(*) FROM mqtt_messages")) {
                rs.next();
                long n = rs.getLong(1);
                c.commit();
                return n;
            }
        }
    }

    /** Batches written, mean batch size and mean commit time so far, from GET /metrics. */
    String writerSummary() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base.replace("/api/v1", "/metrics")))
                .header("Authorization", "Bearer " + OPERATOR).GET().build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Double> v = new TreeMap<>();
        for (String line : r.body().split("\n")) {
            for (String name : new String[] {"mqi_batch_size_sum", "mqi_batch_size_count", "mqi_commit_seconds_sum"}) {
                if (line.startsWith(name + " ")) {
                    v.put(name, Double.parseDouble(line.substring(name.length() + 1).trim()));
                }
            }
        }
        double batches = v.getOrDefault("mqi_batch_size_count", 0.0);
        return String.format("%.0f batches, mean %.1f messages, mean insert+commit %.1f ms", batches,
                v.getOrDefault("mqi_batch_size_sum", 0.0) / batches, 1000 * v.getOrDefault("mqi_commit_seconds_sum", 0.0) / batches);
    }

    DataSource dataSource() {
        return db;
    }

    @Override
    public void close() throws Exception {
        service.close();
        db.close();
        pg.close();
    }
}
