package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.TopicFilter;
import io.mqttintegration.runtime.broker.HostedCommands;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.runtime.ingest.IngestRequestDecoder;
import io.mqttintegration.runtime.integrations.MqttInput;
import io.mqttintegration.runtime.integrations.SealedSecrets;
import io.mqttintegration.runtime.mqtt.BrokerTargets;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import io.mqttintegration.runtime.sinks.KafkaBootstrap;
import io.mqttintegration.runtime.sinks.SinkBodies;
import io.mqttintegration.runtime.sinks.SinkKinds;
import io.mqttintegration.runtime.sinks.SinkSignatures;
import io.mqttintegration.runtime.sinks.SinkTester;
import io.mqttintegration.runtime.sinks.WebhookUrls;
import io.mqttintegration.spi.broker.DeviceNamespace;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.sinks.SinkDeadLetter;
import io.mqttintegration.storage.sinks.SinkRecord;
import io.mqttintegration.storage.sinks.SinkStore;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/integrations/{id}/sinks}: where an integration's stored messages and its devices'
 * presence events are forwarded ({@code include}: data, events or both; the kinds are the route
 * templates {@code sink-<kind>} of the routes folder). Writing needs
 * scope admin, reading scope read; a sink is found only under its own integration in the caller's
 * organization (anything else is 404). Each change is recorded in the integration's activity log in
 * the same transaction, and this node's dispatcher follows it before the answer ({@code claim}).
 */
public final class SinksApi {

    private static final Logger LOG = LoggerFactory.getLogger(SinksApi.class);
    private static final Set<String> CREATE_FIELDS = Set.of("name", "kind", "settings", "topicFilter", "deviceId", "body", "include",
            "maxAttempts", "paused");
    private static final Set<String> PATCH_FIELDS = Set.of("name", "settings", "topicFilter", "deviceId", "body", "include",
            "maxAttempts");
    /** What a sink forwards: stored messages, device presence events, or both. */
    private static final List<String> INCLUDES = List.of("data", "events", "both");
    private static final String KIND_NAME = "[a-z][a-z0-9-]{0,39}";
    private static final int MAX_REPLAY_IDS = 1000;

    private final Tenancy tenancy;
    private final IntegrationStore integrations;
    private final SinkStore store;
    private final ActivityLog activity;
    private final SinkKinds kinds;
    private final SealedSecrets secrets;
    private final BrokerTargets guard;
    private final SinkTester tester;
    private final HostedCommands hosted;
    private final RateLimiter<UUID> testLimit;
    private final Runnable claim;

    /**
     * @param guard     where receivers may be (the brokers' guard: mqtt.allowedTargets, mqtt.allowPrivateTargets)
     * @param hosted    the way to the hosted broker and its rule (MQTT sinks with {@code hosted: true})
     * @param testLimit receiver tests per organization and minute
     * @param claim     this node's dispatcher re-reading its sinks ({@code SinkDispatcher.claim}), after a change is committed
     */
    public SinksApi(Tenancy tenancy, IntegrationStore integrations, SinkStore store, ActivityLog activity, SinkKinds kinds,
            SealedSecrets secrets, BrokerTargets guard, SinkTester tester, HostedCommands hosted, RateLimiter<UUID> testLimit,
            Runnable claim) {
        this.tenancy = tenancy;
        this.integrations = integrations;
        this.store = store;
        this.activity = activity;
        this.kinds = kinds;
        this.secrets = secrets;
        this.guard = guard;
        this.tester = tester;
        this.hosted = hosted;
        this.testLimit = testLimit;
        this.claim = claim;
    }

    public Map<String, Object> create(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID org = request.organization();
        UUID integrationId = request.integration(integrations).id();
        JsonNode body = Fields.object(request.body(), "");
        Fields.onlyKnown(body, CREATE_FIELDS, "");
        String name = Fields.text(body, "name", "name", 100, true);
        SinkKinds.Kind kind = kind(Fields.text(body, "kind", "kind", 40, true));
        String topicFilter = topicFilter(body);
        String deviceId = deviceId(body);
        String format = format(body);
        String include = include(body);
        Long maxAttempts = Fields.integer(body, "maxAttempts", "maxAttempts", 1, 1000);
        Boolean paused = Fields.bool(body, "paused", "paused");
        // last: a webhook's URL is resolved to be checked
        SinkSettings settings = SinkSettings.empty().apply(kind, body.get("settings"), guard);
        checkMqttTarget(org, integrationId, kind, settings);
        String signingSecret = null;
        if (kind.param(SinkSignatures.SECRET).isPresent()) {
            signingSecret = SinkSignatures.newSecret();
            settings = settings.withSecret(SinkSignatures.SECRET, signingSecret);
        }
        SinkRecord sink = new SinkRecord(MessageIds.next(), org, integrationId, name, kind.name(), settings.plainJson(),
                secrets.seal(settings.secrets(), org), topicFilter == null ? "#" : topicFilter, deviceId, format == null ? "raw" : format,
                include == null ? SinkRecord.DATA : include, paused != null && paused, maxAttempts == null ? 10 : maxAttempts.intValue(), null, null);
        SinkRecord created = tenancy.inOrg(org, c -> {
            integrations.get(c, org, integrationId).orElseThrow(() -> ApiException.notFound("integration"));
            SinkRecord r = uniqueName(() -> store.insert(c, sink));
            record(c, request, r, "sink.created", Map.of("sinkId", r.id().toString(), "name", name, "kind", kind.name()));
            return r;
        });
        claim();
        Map<String, Object> view = view(created, settings);
        if (signingSecret != null) {
            view.put("signingSecret", signingSecret);
        }
        return view;
    }

    public Map<String, Object> list(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID integrationId = request.integration(integrations).id();
        List<Map<String, Object>> items = new ArrayList<>();
        for (SinkRecord s : store.list(request.organization(), integrationId)) {
            items.add(view(s, SinkSettings.of(s, secrets)));
        }
        return Map.of("items", items);
    }

    public Map<String, Object> get(@ExchangeProperty(Request.PROPERTY) Request request) {
        SinkRecord s = sink(request);
        Map<String, Object> view = view(s, SinkSettings.of(s, secrets));
        SinkStore.Backlog b = store.backlog(s.organizationId(), s.id());
        Map<String, Object> backlog = new LinkedHashMap<>();
        backlog.put("messages", b.messages());
        backlog.put("oldestReceivedAt", b.oldestReceivedAt() == null ? null : b.oldestReceivedAt().toString());
        backlog.put("retrying", b.retrying());
        view.put("backlog", backlog);
        return view;
    }

    public Map<String, Object> update(@ExchangeProperty(Request.PROPERTY) Request request) {
        SinkRecord found = sink(request);
        UUID org = found.organizationId();
        JsonNode body = Fields.object(request.body(), "");
        if (body.has("kind")) {
            throw new ApiException(400, "invalid_field", "a sink's kind cannot change: create a new sink", "kind");
        }
        if (body.has("paused")) {
            throw new ApiException(400, "invalid_field", "paused changes with POST .../pause and POST .../resume", "paused");
        }
        Fields.onlyKnown(body, PATCH_FIELDS, "");
        String name = Fields.text(body, "name", "name", 100, false);
        if (body.has("name") && (name == null || name.isBlank())) {
            throw new ApiException(400, "invalid_field", "name must not be blank", "name");
        }
        String topicFilter = topicFilter(body);
        String deviceId = deviceId(body);
        String format = format(body);
        String include = include(body);
        Long maxAttempts = Fields.integer(body, "maxAttempts", "maxAttempts", 1, 1000);
        Map<String, Object> view = tenancy.inOrg(org, c -> {
            SinkRecord current = sink(c, found);
            SinkSettings settings = SinkSettings.of(current, secrets);
            if (body.has("settings")) {
                SinkKinds.Kind kind = kinds.kind(current.kind()).orElseThrow(() -> new ApiException(409, "kind_unavailable",
                        "no template sink-" + current.kind() + " is deployed now: the sink's settings cannot be checked, so they cannot change"));
                settings = settings.apply(kind, body.get("settings"), guard);
                checkMqttTarget(org, current.integrationId(), kind, settings);
            }
            SinkRecord changed = new SinkRecord(current.id(), org, current.integrationId(), name == null ? current.name() : name,
                    current.kind(), settings.plainJson(), secrets.seal(settings.secrets(), org),
                    body.has("topicFilter") ? (topicFilter == null ? "#" : topicFilter) : current.topicFilter(),
                    body.has("deviceId") ? deviceId : current.deviceId(),
                    body.has("body") ? (format == null ? "raw" : format) : current.body(),
                    body.has("include") ? (include == null ? SinkRecord.DATA : include) : current.include(), current.paused(),
                    body.has("maxAttempts") ? (maxAttempts == null ? 10 : maxAttempts.intValue()) : current.maxAttempts(), null, null);
            SinkRecord updated = uniqueName(() -> store.update(c, changed)).orElseThrow(() -> ApiException.notFound("sink"));
            record(c, request, updated, "sink.updated", Map.of("sinkId", updated.id().toString(), "fields", IntegrationsApi.changedFields(body)));
            return view(updated, settings);
        });
        claim();
        return view;
    }

    public Map<String, Object> pause(@ExchangeProperty(Request.PROPERTY) Request request) {
        return paused(request, true);
    }

    public Map<String, Object> resume(@ExchangeProperty(Request.PROPERTY) Request request) {
        return paused(request, false);
    }

    /** Sets paused; a sink already so is answered as it is, with nothing written. */
    private Map<String, Object> paused(Request request, boolean value) {
        SinkRecord found = sink(request);
        SinkRecord after = tenancy.inOrg(found.organizationId(), c -> {
            SinkRecord current = sink(c, found);
            if (current.paused() == value) {
                return current;
            }
            SinkRecord updated = store.update(c, current.withPaused(value)).orElseThrow(() -> ApiException.notFound("sink"));
            record(c, request, updated, value ? "sink.paused" : "sink.resumed", Map.of("sinkId", updated.id().toString()));
            return updated;
        });
        claim();
        return view(after, SinkSettings.of(after, secrets));
    }

    /** A new signing secret, in this answer only; the receiver is signed for with it from now on. */
    public Map<String, Object> rotateSecret(@ExchangeProperty(Request.PROPERTY) Request request) {
        SinkRecord found = sink(request);
        String secret = SinkSignatures.newSecret();
        Map<String, Object> view = tenancy.inOrg(found.organizationId(), c -> {
            SinkRecord current = sink(c, found);
            SinkSettings settings = SinkSettings.of(current, secrets);
            boolean signed = settings.secrets().containsKey(SinkSignatures.SECRET)
                    || kinds.kind(current.kind()).flatMap(k -> k.param(SinkSignatures.SECRET)).isPresent();
            if (!signed) {
                throw new ApiException(409, "not_signed", "sinks of kind " + current.kind() + " have no signing secret");
            }
            settings = settings.withSecret(SinkSignatures.SECRET, secret);
            SinkRecord updated = store.update(c, new SinkRecord(current.id(), current.organizationId(), current.integrationId(),
                    current.name(), current.kind(), current.settingsJson(), secrets.seal(settings.secrets(), current.organizationId()),
                    current.topicFilter(), current.deviceId(), current.body(), current.include(), current.paused(), current.maxAttempts(),
                    null, null))
                    .orElseThrow(() -> ApiException.notFound("sink"));
            record(c, request, updated, "sink.updated", Map.of("sinkId", updated.id().toString(), "fields",
                    List.of("settings." + SinkSignatures.SECRET)));
            return view(updated, settings);
        });
        claim();
        view.put("signingSecret", secret);
        return view;
    }

    public void delete(@ExchangeProperty(Request.PROPERTY) Request request) {
        SinkRecord found = sink(request);
        tenancy.inOrg(found.organizationId(), c -> {
            SinkRecord current = sink(c, found);
            if (!store.delete(c, current.organizationId(), current.id())) {
                throw ApiException.notFound("sink");
            }
            record(c, request, current, "sink.deleted", Map.of("sinkId", current.id().toString(), "name", current.name()));
            return null;
        });
        claim();
    }

    public Map<String, Object> deadLetters(@ExchangeProperty(Request.PROPERTY) Request request) {
        SinkRecord s = sink(request);
        int limit = Fields.limit(request.param("limit"), 50, 500);
        List<Map<String, Object>> items = new ArrayList<>();
        for (SinkDeadLetter d : store.deadLetters(s.organizationId(), s.id(), limit)) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", d.id().toString());
            v.put("messageId", d.messageId().toString());
            v.put("receivedAt", instant(d.receivedAt()));
            v.put("deviceId", d.deviceId());
            v.put("attempts", d.attempts());
            v.put("reason", d.reason());
            v.put("failedAt", instant(d.failedAt()));
            v.put("replayedAt", instant(d.replayedAt()));
            // A presence event's dead letter shows the event (messageId is then the transition's id); a message's, null.
            v.put("event", d.eventJson() == null ? null : SinkBodies.event(d.eventJson()));
            items.add(v);
        }
        return Map.of("items", items);
    }

    /** {@code {"ids": [...]}} puts those dead letters back into the outbox, {@code {}} every one not replayed yet. */
    public Map<String, Object> replay(@ExchangeProperty(Request.PROPERTY) Request request) {
        SinkRecord found = sink(request);
        JsonNode body = Fields.object(request.body(), "");
        Fields.onlyKnown(body, Set.of("ids"), "");
        List<UUID> ids = replayIds(body.get("ids"));
        int replayed = tenancy.inOrg(found.organizationId(), c -> {
            SinkRecord current = sink(c, found);
            int n = store.replay(c, current.organizationId(), current.id(), ids);
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("sinkId", current.id().toString());
            detail.put("replayed", n);
            detail.put("asked", ids.isEmpty() ? "all" : ids.size());
            record(c, request, current, "sink.replayed", detail);
            return n;
        });
        return Map.of("replayed", replayed);
    }

    /**
     * One synthetic message to the receiver, through a route of its own (not the outbox): 200 either
     * way, {@code ok} says whether the receiver took it. Rate-limited per organization like broker tests.
     */
    public Map<String, Object> test(@ExchangeProperty(Request.PROPERTY) Request request) {
        SinkRecord s = sink(request);
        long wait = testLimit.acquire(s.organizationId());
        if (wait > 0) {
            throw new ApiException(429, "rate_limited", "too many sink tests for this organization; retry in " + wait + " s")
                    .retryAfter(wait);
        }
        SinkTester.Result result = receiverAllowed(s) ? tester.test(s)
                : new SinkTester.Result(false, 0, "refused: the receiver's host is not one sinks may reach");
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("ok", result.ok());
        report.put("latencyMs", result.latencyMs());
        if (!result.ok()) {
            report.put("error", result.error());
        }
        Map<String, Object> detail = new LinkedHashMap<>(report);
        detail.remove("ok");
        detail.put("sinkId", s.id().toString());
        activity.record(s.organizationId(), s.integrationId(), request.actorKeyId(), request.principal().actor(), "sink.tested",
                result.ok() ? "ok" : "error", IntegrationsApi.json(detail));
        return report;
    }

    /**
     * An MQTT sink's target, where the request's shape was checked ({@link SinkSettings}): an
     * integration of the organization, or the hosted broker as the API's publish with
     * {@code "hosted": true} decides ({@link BrokerApi}): 503 {@code hosted_broker_unavailable} while it
     * does not run here, 403 {@code topic_not_allowed} for a topic outside the namespaces of the
     * integration's live devices.
     */
    private void checkMqttTarget(UUID org, UUID integrationId, SinkKinds.Kind kind, SinkSettings settings) {
        if (!kind.name().equals(SinkSettings.MQTT)) {
            return;
        }
        Optional<UUID> target = settings.targetIntegration();
        if (target.isPresent() && integrations.get(org, target.get()).isEmpty()) {
            throw new ApiException(400, "invalid_field", "settings.integrationId is not an integration of this organization",
                    "settings.integrationId");
        }
        if (!settings.hosted()) {
            return;
        }
        if (hosted.publisher().isEmpty()) {
            throw new ApiException(503, "hosted_broker_unavailable", "the hosted MQTT broker is not running here (feature"
                    + " mqtt-integration-broker, broker.enabled)", "settings.hosted");
        }
        String topic = settings.text(SinkSettings.TOPIC);
        checkHostedTopic(org, integrationId, topic == null ? "${header.mqiTopic}" : topic);
    }

    /**
     * The topic is a Simple expression: what it fixes is checked now (all of it when it is a plain
     * topic, else what comes before the first {@code ${}), the rest at each delivery. A topic whose
     * username comes from the message needs the integration to have a live device at least.
     */
    private void checkHostedTopic(UUID org, UUID integrationId, String topic) {
        String path = "settings." + SinkSettings.TOPIC;
        int dynamic = topic.indexOf("${");
        if (dynamic < 0) {
            IngestRequestDecoder.checkTopic(topic, path);
            MqttInput.checkTopicName(topic, path);
            if (!hosted.allows(org, integrationId, topic)) {
                throw topicNotAllowed("");
            }
            return;
        }
        String fixed = topic.substring(0, dynamic);
        String root = DeviceNamespace.ROOT + "/";
        if (!fixed.startsWith(root) && !root.startsWith(fixed)) {
            throw topicNotAllowed("");
        }
        int end = fixed.startsWith(root) ? fixed.indexOf('/', root.length()) : -1;
        if (end >= 0 ? !hosted.allows(org, integrationId, fixed.substring(0, end)) : !hosted.hasDevices(org, integrationId)) {
            throw topicNotAllowed(end >= 0 ? "" : " (the integration has none)");
        }
    }

    private static ApiException topicNotAllowed(String why) {
        return new ApiException(403, "topic_not_allowed", "with hosted: true settings.topic must be devices/<username>/... where"
                + " <username> is a live device credential of this integration" + why, "settings." + SinkSettings.TOPIC);
    }

    /** A webhook's receiver or a Kafka sink's bootstrap servers are checked again before a test: a name may resolve elsewhere now. */
    private boolean receiverAllowed(SinkRecord s) {
        if (s.kind().equals("kafka")) {
            JsonNode brokers = SinkSettings.of(s, secrets).plain().get(KafkaBootstrap.BROKERS);
            return brokers != null && brokers.isTextual() && KafkaBootstrap.malformed(brokers.textValue()) == null
                    && KafkaBootstrap.allowed(brokers.textValue(), guard);
        }
        if (!s.kind().equals("webhook")) {
            return true;
        }
        JsonNode url = SinkSettings.of(s, secrets).plain().get(WebhookUrls.URL);
        return url != null && url.isTextual() && WebhookUrls.malformed(url.textValue()) == null
                && WebhookUrls.allowed(url.textValue(), guard);
    }

    /** The sink of {@code .../integrations/{id}/sinks/{sinkId}}: only under its own integration, in the caller's organization. */
    private SinkRecord sink(Request request) {
        UUID integrationId = request.integration(integrations).id();
        UUID sinkId = request.id("sinkId", "sink");
        return store.get(request.organization(), sinkId).filter(s -> s.integrationId().equals(integrationId))
                .orElseThrow(() -> ApiException.notFound("sink"));
    }

    /** The sink as it is now, within the transaction (deleted meanwhile: 404). */
    private SinkRecord sink(Connection c, SinkRecord found) throws SQLException {
        return store.get(c, found.organizationId(), found.id()).filter(s -> s.integrationId().equals(found.integrationId()))
                .orElseThrow(() -> ApiException.notFound("sink"));
    }

    private SinkKinds.Kind kind(String name) {
        List<String> known = kinds.all().stream().map(SinkKinds.Kind::name).filter(n -> n.matches(KIND_NAME)).toList();
        if (!known.contains(name)) {
            throw new ApiException(400, "invalid_field", known.isEmpty()
                    ? "kind: no sink kinds are deployed (route templates sink-<kind> in the routes folder)"
                    : "kind must be one of: " + String.join(", ", known), "kind");
        }
        return kinds.kind(name).orElseThrow(() -> new ApiException(400, "invalid_field", "kind " + name + " is gone", "kind"));
    }

    private static String topicFilter(JsonNode body) {
        String filter = Fields.text(body, "topicFilter", "topicFilter", 65_535, false);
        if (filter != null && !TopicFilter.isValid(filter)) {
            throw new ApiException(400, "invalid_field", "topicFilter must be an MQTT topic filter (+ and # as whole levels,"
                    + " # last; not empty)", "topicFilter");
        }
        return filter;
    }

    private static String deviceId(JsonNode body) {
        String deviceId = Fields.text(body, "deviceId", "deviceId", 256, false);
        if (deviceId != null && deviceId.isEmpty()) {
            throw new ApiException(400, "invalid_field", "deviceId must not be empty (null: every device)", "deviceId");
        }
        return deviceId;
    }

    private static String format(JsonNode body) {
        String format = Fields.text(body, "body", "body", 20, false);
        if (format == null) {
            return null;
        }
        for (SinkBodies.Format f : SinkBodies.Format.values()) {
            if (f.label().equals(format)) {
                return format;
            }
        }
        throw new ApiException(400, "invalid_field", "body must be raw, readings or cloudevents", "body");
    }

    private static String include(JsonNode body) {
        String include = Fields.text(body, "include", "include", 20, false);
        if (include != null && !INCLUDES.contains(include)) {
            throw new ApiException(400, "invalid_field", "include must be data (stored messages), events (device presence events)"
                    + " or both", "include");
        }
        return include;
    }

    private static List<UUID> replayIds(JsonNode ids) {
        List<UUID> list = new ArrayList<>();
        if (ids == null || ids.isNull()) {
            return list;
        }
        if (!ids.isArray() || ids.isEmpty() || ids.size() > MAX_REPLAY_IDS) {
            throw new ApiException(400, "invalid_field", "ids must be an array of 1 to " + MAX_REPLAY_IDS
                    + " dead letter ids (send {} to replay every one)", "ids");
        }
        for (int i = 0; i < ids.size(); i++) {
            JsonNode id = ids.get(i);
            if (!id.isTextual()) {
                throw new ApiException(400, "invalid_field", "ids[" + i + "] must be a UUID", "ids[" + i + "]");
            }
            list.add(Fields.uuid(id.textValue(), "ids[" + i + "]"));
        }
        return list;
    }

    /** A statement of the caller's transaction. */
    @FunctionalInterface
    private interface Statement<T> {
        T run() throws SQLException;
    }

    /** A name already taken by another sink of the integration is 409. */
    private static <T> T uniqueName(Statement<T> statement) throws SQLException {
        try {
            return statement.run();
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new ApiException(409, "name_taken", "the integration has a sink of that name already", "name");
            }
            throw e;
        }
    }

    private void record(Connection c, Request request, SinkRecord sink, String action, Map<String, Object> detail) throws SQLException {
        activity.record(c, sink.organizationId(), sink.integrationId(), request.actorKeyId(), request.principal().actor(), action, "ok",
                IntegrationsApi.json(detail));
    }

    /** After the commit: this node's dispatcher follows the change now (the others within a third of their lease). */
    private void claim() {
        try {
            claim.run();
        } catch (RuntimeException e) {
            LOG.warn("Sinks: this node did not re-read its sinks after a change ({}); its next periodic claim will", e.toString());
        }
    }

    static Map<String, Object> view(SinkRecord s, SinkSettings settings) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", s.id().toString());
        v.put("integrationId", s.integrationId().toString());
        v.put("name", s.name());
        v.put("kind", s.kind());
        v.put("settings", settings.view());
        v.put("topicFilter", s.topicFilter());
        v.put("deviceId", s.deviceId());
        v.put("body", s.body());
        v.put("include", s.include());
        v.put("maxAttempts", s.maxAttempts());
        v.put("paused", s.paused());
        v.put("createdAt", instant(s.createdAt()));
        v.put("updatedAt", instant(s.updatedAt()));
        return v;
    }

    private static String instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant().toString();
    }

}
