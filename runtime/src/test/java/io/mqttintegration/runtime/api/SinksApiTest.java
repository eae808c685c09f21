package io.mqttintegration.runtime.api;

import io.mqttintegration.runtime.sinks.SinkMqttPublisher;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.key;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.refused;
import static io.mqttintegration.runtime.api.ApiRequestsForTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.runtime.broker.HostedCommands;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.integrations.SealedSecrets;
import io.mqttintegration.runtime.mqtt.BrokerTargets;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import io.mqttintegration.runtime.sinks.SinkKinds;
import io.mqttintegration.runtime.sinks.SinkSignatures;
import io.mqttintegration.runtime.sinks.SinkTester;
import io.mqttintegration.security.SecretBox;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.sinks.SinkRecord;
import io.mqttintegration.storage.sinks.SinkStore;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.CredentialStore;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.OrganizationStore;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SinksApi} itself, built directly: the sink kinds are the shipped webhook template and one of
 * this test's (with a secret parameter), the database a real PostgreSQL, and the target guard the
 * shipped default (no private receivers) over a resolver of the test's own. What it refuses, and
 * what it keeps secret; the HTTP answers and deliveries are SinksApiWebhookTest's.
 */
class SinksApiTest {

    static final String SECRETLESS_TEMPLATE = """
            - routeTemplate:
                id: sink-echo
                parameters:
                  - name: sinkId
                  - name: target
                  - name: apiToken
                  - name: level
                    defaultValue: "1"
                route:
                  from:
                    uri: "direct:sink-{{sinkId}}"
                    steps:
                      - log: "{{target}} {{level}}"
            """;

    static DefaultCamelContext camel;
    static Tenancy tenancy;
    static SinkStore store;
    static IntegrationStore integrations;
    static ActivityLog activity;
    static SealedSecrets secrets;
    static SinksApi api;
    static SinksApi apiAllowingPrivate;
    static final AtomicInteger claims = new AtomicInteger();
    static UUID org;
    static Principal admin;
    static Principal reader;
    static UUID integration;

    /** The test's DNS: a public receiver, a private one, the metadata address; anything else does not resolve. */
    static InetAddress[] resolve(String host) throws UnknownHostException {
        Map<String, String> answers = Map.of("hooks.example", "93.184.216.34", "internal.example", "10.0.0.5",
                "metadata.example", "169.254.169.254");
        String address = answers.get(host);
        if (address == null && host.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:]*")) {
            address = host;
        }
        if (address == null) {
            throw new UnknownHostException(host);
        }
        return new InetAddress[] {InetAddress.getByName(address)};
    }

    @BeforeAll
    static void start() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        SchemaMigrations.apply(db);
        tenancy = new Tenancy(db);
        store = new SinkStore(tenancy);
        integrations = new IntegrationStore(tenancy);
        activity = new ActivityLog(tenancy);
        camel = new DefaultCamelContext();
        Path webhook = Path.of(System.getProperty("mqi.routes.dir"), "sink-webhook.camel.yaml");
        Path kafka = Path.of(System.getProperty("mqi.routes.dir"), "sink-kafka.camel.yaml");
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("sink-webhook.camel.yaml", Files.readString(webhook)),
                ResourceHelper.fromString("sink-kafka.camel.yaml", Files.readString(kafka)),
                ResourceHelper.fromString("sink-echo.camel.yaml", SECRETLESS_TEMPLATE));
        camel.start();
        secrets = new SealedSecrets(new SecretBox(new byte[32]));
        SinkTester tester = new SinkTester(camel, new SinkSignatures(Clock.systemUTC()), secrets,
                new SinkMqttPublisher(null, null, null, null, id -> java.util.Optional.empty()), 1000, Clock.systemUTC());
        // mqtt.allowPrivateTargets false, no mqtt.allowedTargets: the shipped default
        api = api(new BrokerTargets(false, Set.of(), SinksApiTest::resolve), tester);
        apiAllowingPrivate = api(new BrokerTargets(true, Set.of(), SinksApiTest::resolve), tester);
        org = new OrganizationStore(tenancy).create("sinks").id();
        admin = key(org, "admin");
        reader = key(org, "read");
        integration = integration(org);
    }

    static SinksApi api(BrokerTargets guard, SinkTester tester) {
        return new SinksApi(tenancy, integrations, store, activity, new SinkKinds(camel), secrets, guard, tester,
                new HostedCommands(new CredentialStore(tenancy)), new RateLimiter<>(10), claims::incrementAndGet);
    }

    @AfterAll
    static void stop() throws Exception {
        camel.close();
    }

    static UUID integration(UUID organization) {
        return tenancy.inOrg(organization, c -> integrations.insert(c, new IntegrationRecord(MessageIds.next(), organization, "broker",
                "mqtt", "{\"host\":\"broker.example\"}", null, true, null, null))).id();
    }

    static Map<String, String> path(UUID integrationId, Object sinkId) {
        Map<String, String> p = new HashMap<>();
        p.put("id", integrationId.toString());
        if (sinkId != null) {
            p.put("sinkId", sinkId.toString());
        }
        return p;
    }

    static JsonNode json(Object reply) {
        return Json.strict().valueToTree(reply);
    }

    static JsonNode create(SinksApi with, String body) {
        return json(with.create(request(admin, path(integration, null), null, body)));
    }

    static JsonNode create(String body) {
        return create(api, body);
    }

    static String webhook(String name, String url) {
        return "{\"name\":\"" + name + "\",\"kind\":\"webhook\",\"settings\":{\"url\":\"" + url + "\"}}";
    }

    /** The error the create answers: its status, code and field. */
    static ApiException createRefused(SinksApi with, int status, String error, String field, String body) {
        ApiException e = refused(status, () -> with.create(request(admin, path(integration, null), null, body)));
        assertEquals(error, e.code(), e.getMessage());
        assertEquals(field, e.field(), e.getMessage());
        return e;
    }

    static ApiException createRefused(int status, String error, String field, String body) {
        return createRefused(api, status, error, field, body);
    }

    /** The integration's activity log: each entry's action and detail, newest first. */
    static String log() {
        return activity.list(org, integration, null, 200).stream().map(e -> e.action() + " " + e.detailJson()).toList().toString();
    }

    static SinkRecord stored(JsonNode sink) {
        return store.get(org, UUID.fromString(sink.path("id").asText())).orElseThrow();
    }

    @Test
    void aWebhookSinkShowsItsSigningSecretOnceAndNeverStoresItInItsSettings() {
        int before = claims.get();
        JsonNode sink = create(webhook("hook", "https://hooks.example/in"));
        String secret = sink.path("signingSecret").asText();
        assertTrue(secret.startsWith("whsec_") && secret.length() > 40, "made by the service: " + sink);
        assertEquals("********", sink.path("settings").path("signingSecret").asText());
        assertEquals("https://hooks.example/in", sink.path("settings").path("url").asText());
        assertEquals("#", sink.path("topicFilter").asText());
        assertEquals("raw", sink.path("body").asText());
        assertEquals(10, sink.path("maxAttempts").asInt());
        assertFalse(sink.path("paused").asBoolean());
        assertTrue(claims.get() > before, "the dispatcher re-reads its sinks after the change");

        SinkRecord stored = stored(sink);
        assertFalse(stored.settingsJson().contains(secret) || stored.settingsJson().contains("signingSecret"), stored.settingsJson());
        assertEquals(Map.of("signingSecret", secret), secrets.open(stored.sealedSecrets(), org), "sealed, and only there");

        JsonNode read = json(api.get(request(reader, path(integration, stored.id()))));
        assertTrue(read.path("signingSecret").isMissingNode(), "shown once: " + read);
        assertFalse(read.toString().contains(secret));
        assertEquals(0, read.path("backlog").path("messages").asLong());
        JsonNode listed = json(api.list(request(reader, path(integration, null))));
        assertFalse(listed.toString().contains(secret));

        String log = log();
        assertTrue(log.contains("sink.created") && !log.contains(secret), log);
    }

    @Test
    void anUnknownKindIsRefusedNamingTheKindsThereAre() {
        ApiException e = createRefused(400, "invalid_field", "kind",
                "{\"name\":\"pigeon\",\"kind\":\"carrier-pigeon\",\"settings\":{}}");
        assertTrue(e.getMessage().contains("echo, kafka, webhook"), e.getMessage());
        createRefused(400, "missing_field", "kind", "{\"name\":\"k\",\"settings\":{}}");
        createRefused(400, "invalid_field", "kind", "{\"name\":\"k\",\"kind\":\"test-x\"}");
    }

    @Test
    void settingsAreTheTemplatesParametersOnly() {
        ApiException unknown = createRefused(400, "unknown_field", "settings.color",
                "{\"name\":\"u\",\"kind\":\"webhook\",\"settings\":{\"url\":\"https://hooks.example/\",\"color\":\"red\"}}");
        assertTrue(unknown.getMessage().contains("url, timeoutMillis"), "names what the kind takes: " + unknown.getMessage());
        createRefused(400, "missing_field", "settings.url", "{\"name\":\"m\",\"kind\":\"webhook\",\"settings\":{}}");
        createRefused(400, "missing_field", "settings.url", "{\"name\":\"m\",\"kind\":\"webhook\"}");
        createRefused(400, "invalid_field", "settings.sinkId",
                "{\"name\":\"s\",\"kind\":\"webhook\",\"settings\":{\"url\":\"https://hooks.example/\",\"sinkId\":\"x\"}}");
        createRefused(400, "invalid_field", "settings.signingSecret",
                "{\"name\":\"s\",\"kind\":\"webhook\",\"settings\":{\"url\":\"https://hooks.example/\",\"signingSecret\":\"mine\"}}");
        createRefused(400, "invalid_field", "settings.url", "{\"name\":\"o\",\"kind\":\"webhook\",\"settings\":{\"url\":{\"a\":1}}}");
        createRefused(400, "invalid_field", "settings.url", webhook("p", "https://hooks.example/?k={{security.operatorKey}}"));
        createRefused(400, "invalid_field", "settings.timeoutMillis",
                "{\"name\":\"t\",\"kind\":\"webhook\",\"settings\":{\"url\":\"https://hooks.example/\",\"timeoutMillis\":\"soon\"}}");
        createRefused(400, "invalid_field", "settings", "{\"name\":\"a\",\"kind\":\"webhook\",\"settings\":[1]}");
        createRefused(400, "unknown_field", "owner", "{\"name\":\"a\",\"kind\":\"webhook\",\"owner\":\"x\",\"settings\":{}}");
    }

    @Test
    void aSecretParameterIsSealedMaskedAndRequiredLikeAnyOther() {
        JsonNode sink = create("{\"name\":\"echo\",\"kind\":\"echo\",\"settings\":{\"target\":\"t1\",\"apiToken\":\"tok-123\"}}");
        assertEquals("********", sink.path("settings").path("apiToken").asText());
        assertTrue(sink.path("signingSecret").isMissingNode(), "a kind without signingSecret has none");
        SinkRecord stored = stored(sink);
        assertFalse(stored.settingsJson().contains("tok-123"), stored.settingsJson());
        assertEquals(Map.of("apiToken", "tok-123"), secrets.open(stored.sealedSecrets(), org));

        Map<String, String> at = path(integration, stored.id());
        JsonNode patched = json(api.update(request(admin, at, null, "{\"settings\":{\"apiToken\":\"tok-456\",\"level\":3}}")));
        assertEquals("********", patched.path("settings").path("apiToken").asText());
        assertEquals(3, patched.path("settings").path("level").asInt());
        assertEquals("t1", patched.path("settings").path("target").asText(), "merged: what is not given stays");
        assertEquals(Map.of("apiToken", "tok-456"), secrets.open(stored(sink).sealedSecrets(), org), "re-sealed");
        ApiException missing = refused(400, () -> api.update(request(admin, at, null, "{\"settings\":{\"apiToken\":null}}")));
        assertEquals("settings.apiToken", missing.field(), "null removes it, and it is required");
        assertEquals("echo", json(api.list(request(reader, path(integration, null)))).findValues("kind").stream()
                .map(JsonNode::asText).filter("echo"::equals).findFirst().orElseThrow());
    }

    @Test
    void aBadFilterBodyOrMaxAttemptsIsRefusedNamingTheField() {
        createRefused(400, "invalid_field", "topicFilter",
                "{\"name\":\"f\",\"kind\":\"webhook\",\"topicFilter\":\"a/#/b\",\"settings\":{\"url\":\"https://hooks.example/\"}}");
        createRefused(400, "invalid_field", "topicFilter",
                "{\"name\":\"f\",\"kind\":\"webhook\",\"topicFilter\":\"a/b+\",\"settings\":{\"url\":\"https://hooks.example/\"}}");
        createRefused(400, "invalid_field", "body",
                "{\"name\":\"f\",\"kind\":\"webhook\",\"body\":\"xml\",\"settings\":{\"url\":\"https://hooks.example/\"}}");
        createRefused(400, "invalid_field", "maxAttempts",
                "{\"name\":\"f\",\"kind\":\"webhook\",\"maxAttempts\":0,\"settings\":{\"url\":\"https://hooks.example/\"}}");
        createRefused(400, "invalid_field", "maxAttempts",
                "{\"name\":\"f\",\"kind\":\"webhook\",\"maxAttempts\":1001,\"settings\":{\"url\":\"https://hooks.example/\"}}");
        createRefused(400, "invalid_field", "deviceId",
                "{\"name\":\"f\",\"kind\":\"webhook\",\"deviceId\":\"\",\"settings\":{\"url\":\"https://hooks.example/\"}}");
        createRefused(400, "missing_field", "name", "{\"kind\":\"webhook\",\"settings\":{\"url\":\"https://hooks.example/\"}}");
        JsonNode sink = create("{\"name\":\"filtered\",\"kind\":\"webhook\",\"topicFilter\":\"site/+/telemetry\",\"deviceId\":\"d7\","
                + "\"body\":\"cloudevents\",\"maxAttempts\":1000,\"paused\":true,\"settings\":{\"url\":\"https://hooks.example/\"}}");
        assertEquals("site/+/telemetry", sink.path("topicFilter").asText());
        assertEquals("d7", sink.path("deviceId").asText());
        assertTrue(sink.path("paused").asBoolean());
    }

    @Test
    void includeSaysWhetherASinkForwardsDataEventsOrBothAndIsCheckedOnCreateAndPatch() {
        JsonNode plain = create(webhook("data by default", "https://hooks.example/d"));
        assertEquals("data", plain.path("include").asText(), "a sink forwards stored messages unless it says otherwise");
        assertEquals("data", stored(plain).include());
        createRefused(400, "invalid_field", "include",
                "{\"name\":\"i\",\"kind\":\"webhook\",\"include\":\"presence\",\"settings\":{\"url\":\"https://hooks.example/\"}}");
        createRefused(400, "invalid_field", "include",
                "{\"name\":\"i\",\"kind\":\"webhook\",\"include\":[\"data\"],\"settings\":{\"url\":\"https://hooks.example/\"}}");

        JsonNode events = create("{\"name\":\"presence\",\"kind\":\"webhook\",\"include\":\"events\",\"body\":\"cloudevents\","
                + "\"settings\":{\"url\":\"https://hooks.example/e\"}}");
        assertEquals("events", events.path("include").asText());
        assertEquals("events", stored(events).include(), "stored as asked");
        Map<String, String> at = path(integration, events.path("id").asText());
        assertEquals("events", json(api.get(request(reader, at))).path("include").asText());
        assertTrue(json(api.list(request(reader, path(integration, null)))).path("items").findValuesAsText("include").contains("events"));

        assertEquals("both", json(api.update(request(admin, at, null, "{\"include\":\"both\"}"))).path("include").asText());
        assertEquals("both", json(api.update(request(admin, at, null, "{\"maxAttempts\":3}"))).path("include").asText(),
                "a patch without include keeps it");
        assertEquals("include", refused(400, () -> api.update(request(admin, at, null, "{\"include\":\"all\"}"))).field());
        assertEquals("data", json(api.update(request(admin, at, null, "{\"include\":null}"))).path("include").asText(),
                "null: the default");
        assertTrue(log().contains("\"include\""), "the change is in the activity log: " + log());
    }

    @Test
    void aReceiverUrlMustBeHttpWithAHostAndNoQueryTheClientWouldTakeAsItsOwnOptions() {
        for (String url : List.of("ftp://hooks.example/x", "hooks.example/x", "https:///x", "http://", "not a url",
                "https://user:pw@hooks.example/x", "https://hooks.example/x#frag", "https://hooks.example/x?proxyHost=10.0.0.1",
                "https://hooks.example/x?token=abc", "https://hooks.example/x?")) {
            createRefused(400, "invalid_field", "settings.url", webhook("u", url));
        }
        JsonNode ok = create(webhook("with-port", "https://hooks.example:8443/in/tok-abc"));
        assertEquals("https://hooks.example:8443/in/tok-abc", ok.path("settings").path("url").asText());
    }

    @Test
    void aPrivateOrMetadataReceiverIsRefusedUnlessTheOperatorAllowsPrivateTargets() {
        for (String url : List.of("http://internal.example/hook", "http://10.0.0.5:8080/", "http://127.0.0.1/",
                "http://[::1]:8080/", "http://metadata.example/latest", "http://169.254.169.254/latest", "http://nowhere.example/")) {
            ApiException e = createRefused(400, "target_not_allowed", "settings.url", webhook("private", url));
            assertFalse(e.getMessage().contains("10.0.0.5") && !url.contains("10.0.0.5"), "tells nothing of what the name resolves to");
        }
        assertEquals("http://internal.example/hook",
                create(apiAllowingPrivate, webhook("allowed", "http://internal.example/hook")).path("settings").path("url").asText());
        createRefused(apiAllowingPrivate, 400, "target_not_allowed", "settings.url", webhook("meta", "http://metadata.example/latest"));

        JsonNode sink = create(webhook("moving", "https://hooks.example/a"));
        ApiException patched = refused(400, () -> api.update(request(admin, path(integration, sink.path("id").asText()), null,
                "{\"settings\":{\"url\":\"http://internal.example/\"}}")));
        assertEquals("target_not_allowed", patched.code(), "a change is checked as a new sink is");
    }

    static String kafka(String name, String brokers) {
        return "{\"name\":\"" + name + "\",\"kind\":\"kafka\",\"settings\":{\"brokers\":\"" + brokers + "\",\"topic\":\"t\"}}";
    }

    @Test
    void aKafkaSinkAimedAtAPrivateOrMetadataAddressIsRefusedLikeAWebhook() {
        for (String brokers : List.of("internal.example:9092", "10.0.0.5:9092", "127.0.0.1:9092", "[::1]:9092", "metadata.example:9092",
                "169.254.169.254:9092", "hooks.example:9092,10.0.0.5:9092", "nowhere.example:9092")) {
            createRefused(400, "target_not_allowed", "settings.brokers", kafka("private", brokers));
        }
        for (String brokers : List.of("hooks.example", "hooks.example:", "hooks.example:x", ":9092", "hooks.example:9092,",
                "hooks.example:70000", "tcp://hooks.example:9092")) {
            createRefused(400, "invalid_field", "settings.brokers", kafka("malformed", brokers));
        }
        JsonNode sink = create(kafka("kafka-cluster", "hooks.example:9092,hooks.example:9093"));
        assertEquals("hooks.example:9092,hooks.example:9093", sink.path("settings").path("brokers").asText());
        assertEquals("internal.example:9092",
                create(apiAllowingPrivate, kafka("kafka-allowed", "internal.example:9092")).path("settings").path("brokers").asText());
        createRefused(apiAllowingPrivate, 400, "target_not_allowed", "settings.brokers", kafka("kafka-meta", "metadata.example:9092"));

        ApiException patched = refused(400, () -> api.update(request(admin, path(integration, sink.path("id").asText()), null,
                "{\"settings\":{\"brokers\":\"metadata.example:9092\"}}")));
        assertEquals("target_not_allowed", patched.code(), "a change is checked as a new sink is");
    }

    @Test
    void aKafkaSinksConcurrencyIsAWholeNumberFromOneToAThousand() {
        for (String bad : List.of("0", "1001", "-3", "lots", "12.5")) {
            createRefused(400, "invalid_field", "settings.concurrency", "{\"name\":\"c\",\"kind\":\"kafka\",\"settings\":{\"brokers\":"
                    + "\"hooks.example:9092\",\"topic\":\"t\",\"concurrency\":\"" + bad + "\"}}");
        }
        JsonNode sink = create("{\"name\":\"c\",\"kind\":\"kafka\",\"settings\":{\"brokers\":\"hooks.example:9092\",\"topic\":\"t\","
                + "\"concurrency\":16}}");
        assertEquals(16, sink.path("settings").path("concurrency").asInt());
        // A kind whose template does not declare it has no such setting.
        createRefused(400, "unknown_field", "settings.concurrency", "{\"name\":\"w\",\"kind\":\"webhook\",\"settings\":{\"url\":"
                + "\"https://hooks.example/\",\"concurrency\":16}}");
    }

    @Test
    void theTestCallChecksTheReceiverAgainAndReachesNoPrivateAddress() {
        // Stored as they would be had the names resolved elsewhere when the sinks were made.
        for (String[] sink : new String[][] {{"webhook", "{\"url\":\"http://internal.example/hook\"}"},
                {"kafka", "{\"brokers\":\"hooks.example:9092,metadata.example:9092\",\"topic\":\"t\"}"}}) {
            SinkRecord stored = tenancy.inOrg(org, c -> store.insert(c, new SinkRecord(MessageIds.next(), org, integration,
                    "stale-" + sink[0], sink[0], sink[1], null, "#", null, "raw", true, 10, null, null)));
            JsonNode result = json(api.test(request(admin, path(integration, stored.id()))));
            assertFalse(result.path("ok").asBoolean(), result.toString());
            assertTrue(result.path("error").asText().contains("not one sinks may reach"), result.toString());
        }
    }

    @Test
    void aNameIsUniqueWithinItsIntegration() {
        create(webhook("twice", "https://hooks.example/1"));
        createRefused(409, "name_taken", "name", webhook("twice", "https://hooks.example/2"));
        UUID other = integration(org);
        assertEquals("twice", json(api.create(request(admin, path(other, null), null, webhook("twice", "https://hooks.example/3"))))
                .path("name").asText(), "another integration may use it");
        JsonNode second = create(webhook("twice-b", "https://hooks.example/4"));
        ApiException renamed = refused(409, () -> api.update(request(admin, path(integration, second.path("id").asText()), null,
                "{\"name\":\"twice\"}")));
        assertEquals("name_taken", renamed.code());
    }

    @Test
    void aPatchMergesSettingsKeepsTheSigningSecretAndRotateMakesANewOne() {
        JsonNode sink = create(webhook("patched", "https://hooks.example/p"));
        String secret = sink.path("signingSecret").asText();
        Map<String, String> at = path(integration, sink.path("id").asText());
        JsonNode patched = json(api.update(request(admin, at, null,
                "{\"name\":\"patched-2\",\"settings\":{\"timeoutMillis\":2000},\"topicFilter\":\"a/#\",\"body\":\"readings\"}")));
        assertEquals("patched-2", patched.path("name").asText());
        assertEquals("https://hooks.example/p", patched.path("settings").path("url").asText());
        assertEquals(2000, patched.path("settings").path("timeoutMillis").asInt());
        assertEquals("********", patched.path("settings").path("signingSecret").asText());
        assertEquals(Map.of("signingSecret", secret), secrets.open(stored(sink).sealedSecrets(), org), "the secret is kept");

        assertEquals("settings.signingSecret", refused(400, () -> api.update(request(admin, at, null,
                "{\"settings\":{\"signingSecret\":\"whsec_mine\"}}"))).field());
        assertEquals("kind", refused(400, () -> api.update(request(admin, at, null, "{\"kind\":\"echo\"}"))).field());
        assertEquals("paused", refused(400, () -> api.update(request(admin, at, null, "{\"paused\":true}"))).field());
        assertEquals("settings.url", refused(400, () -> api.update(request(admin, at, null, "{\"settings\":{\"url\":null}}"))).field());

        JsonNode rotated = json(api.rotateSecret(request(admin, at)));
        String fresh = rotated.path("signingSecret").asText();
        assertTrue(fresh.startsWith("whsec_") && !fresh.equals(secret), rotated.toString());
        assertEquals(Map.of("signingSecret", fresh), secrets.open(stored(sink).sealedSecrets(), org));
        assertEquals("https://hooks.example/p", rotated.path("settings").path("url").asText(), "nothing else changes");

        JsonNode echo = create("{\"name\":\"unsigned\",\"kind\":\"echo\",\"settings\":{\"target\":\"t\",\"apiToken\":\"x\"}}");
        assertEquals("not_signed", refused(409, () -> api.rotateSecret(request(admin, path(integration, echo.path("id").asText()))))
                .code());
    }

    @Test
    void pauseAndResumeSetPausedAndAreRecorded() {
        JsonNode sink = create(webhook("pausing", "https://hooks.example/p"));
        Map<String, String> at = path(integration, sink.path("id").asText());
        assertTrue(json(api.pause(request(admin, at))).path("paused").asBoolean());
        assertTrue(json(api.pause(request(admin, at))).path("paused").asBoolean(), "again: as it is");
        assertFalse(json(api.resume(request(admin, at))).path("paused").asBoolean());
        String log = log();
        assertEquals(1, log.split("sink.paused", -1).length - 1, "a pause that changed nothing is not recorded: " + log);
        assertTrue(log.contains("sink.resumed"), log);
    }

    @Test
    void anotherOrganizationsOrIntegrationsSinkIsNotFound() {
        JsonNode sink = create(webhook("mine", "https://hooks.example/m"));
        String id = sink.path("id").asText();
        UUID otherOrg = new OrganizationStore(tenancy).create("other").id();
        Principal stranger = key(otherOrg, "admin");
        UUID strangersIntegration = integration(otherOrg);
        Map<String, String> at = path(integration, id);
        assertEquals("no such integration", refused(404, () -> api.get(request(stranger, at))).getMessage());
        refused(404, () -> api.update(request(stranger, at, null, "{\"name\":\"x\"}")));
        refused(404, () -> api.delete(request(stranger, at)));
        refused(404, () -> api.list(request(stranger, path(integration, null))));
        refused(404, () -> api.create(request(stranger, path(integration, null), null, webhook("x", "https://hooks.example/"))));
        Map<String, String> underOwn = path(strangersIntegration, id);
        assertEquals("no such sink", refused(404, () -> api.get(request(stranger, underOwn))).getMessage());
        refused(404, () -> api.pause(request(stranger, underOwn)));
        refused(404, () -> api.deadLetters(request(stranger, underOwn)));
        refused(404, () -> api.replay(request(stranger, underOwn, null, "{}")));
        UUID sibling = integration(org);
        refused(404, () -> api.get(request(admin, path(sibling, id))));
        refused(404, () -> api.get(request(admin, path(integration, "not-a-uuid"))));
        refused(404, () -> api.get(request(admin, path(integration, UUID.randomUUID()))));
        assertEquals(id, json(api.get(request(admin, path(integration, id)))).path("id").asText());
    }

    @Test
    void deleteTakesTheSinkAndReplayRefusesAnEmptyList() {
        JsonNode sink = create(webhook("going", "https://hooks.example/g"));
        Map<String, String> at = path(integration, sink.path("id").asText());
        assertEquals(0, json(api.replay(request(admin, at, null, "{}"))).path("replayed").asInt());
        assertEquals("ids", refused(400, () -> api.replay(request(admin, at, null, "{\"ids\":[]}"))).field());
        assertEquals("ids[0]", refused(400, () -> api.replay(request(admin, at, null, "{\"ids\":[\"x\"]}"))).field());
        assertEquals("limit", refused(400, () -> api.deadLetters(request(admin, at, "limit=0", null))).field());
        assertEquals(0, json(api.deadLetters(request(reader, at, "limit=5", null))).path("items").size());
        api.delete(request(admin, at));
        refused(404, () -> api.get(request(admin, at)));
        refused(404, () -> api.delete(request(admin, at)));
        assertTrue(log().contains("sink.deleted"), log());
        assertNotEquals(0, claims.get());
    }
}
