package io.mqttintegration.runtime.api;

import io.mqttintegration.runtime.integrations.BrokerSettings;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.runtime.integrations.IntegrationSettings;
import io.mqttintegration.runtime.integrations.SealedSecrets;
import io.mqttintegration.runtime.quotas.Quotas;
import io.mqttintegration.storage.tenants.Quota;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.ActivityEntry;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import org.apache.camel.ExchangeProperty;

/**
 * {@code /api/v1/integrations}: an organization's MQTT brokers. Writing needs scope admin, reading
 * scope read; everything stays within the caller's organization, and each change is recorded in
 * the activity log in the same transaction.
 */
public final class IntegrationsApi {

    private static final Set<String> CREATE_FIELDS = Set.of("name", "type", "settings", "enabled");
    private static final Set<String> PATCH_FIELDS = Set.of("name", "settings", "enabled");

    private final Tenancy tenancy;
    private final IntegrationStore store;
    private final ActivityLog activity;
    private final IntegrationSettings settings;
    private final SealedSecrets secrets;
    private final List<BiConsumer<UUID, UUID>> onChange;
    private final BiFunction<UUID, UUID, Optional<Map<String, Object>>> subscriptionView;
    private final Quotas quotas;

    /**
     * @param onChange told (organization, id) of an integration that changed or went, once committed
     *        (caches of its parsers, its clients, its subscription)
     * @param subscriptionView an integration's subscription status, if it has one
     */
    public IntegrationsApi(Tenancy tenancy, IntegrationStore store, ActivityLog activity, IntegrationSettings settings,
            io.mqttintegration.security.SecretBox box, List<BiConsumer<UUID, UUID>> onChange,
            BiFunction<UUID, UUID, Optional<Map<String, Object>>> subscriptionView, Quotas quotas) {
        this.quotas = quotas;
        this.tenancy = tenancy;
        this.store = store;
        this.activity = activity;
        this.settings = settings;
        this.secrets = new SealedSecrets(box);
        this.onChange = List.copyOf(onChange);
        this.subscriptionView = subscriptionView;
    }

    public Map<String, Object> create(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID org = request.organization();
        JsonNode body = Fields.object(request.body(), "");
        Fields.onlyKnown(body, CREATE_FIELDS, "");
        String name = Fields.text(body, "name", "name", 200, true);
        String type = Fields.text(body, "type", "type", 20, false);
        if (type != null && !type.equals("mqtt")) {
            throw new ApiException(400, "invalid_field", "type must be mqtt", "type");
        }
        if (body.get("settings") == null || body.get("settings").isNull()) {
            throw new ApiException(400, "missing_field", "settings is required", "settings");
        }
        Boolean enabled = Fields.bool(body, "enabled", "enabled");
        BrokerSettings given = settings.apply(BrokerSettings.empty(), body.get("settings"));
        UUID id = MessageIds.next();
        IntegrationRecord created = tenancy.inOrg(org, c -> {
            quotas.reserve(c, org, Quota.INTEGRATIONS, null); // 404 when the operator named no organization
            IntegrationRecord r = store.insert(c, new IntegrationRecord(id, org, name, "mqtt", given.storedJson(),
                    secrets.seal(given.secrets(), org), enabled == null || enabled, null, null));
            activity.record(c, org, id, request.actorKeyId(), request.principal().actor(), "integration.created", "ok",
                    json(Map.of("name", name)));
            return r;
        });
        return view(created, given);
    }

    public Map<String, Object> list(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID org = request.organization();
        int limit = Fields.limit(request.param("limit"), 50, 200);
        String cursor = request.param("cursor");
        UUID after = cursor == null || cursor.isEmpty() ? null : cursorId(cursor);
        List<IntegrationRecord> page = store.list(org, after, limit + 1);
        List<Map<String, Object>> items = new ArrayList<>();
        for (IntegrationRecord r : page.subList(0, Math.min(limit, page.size()))) {
            items.add(view(r, settingsOf(r)));
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("items", items);
        reply.put("next", page.size() > limit ? page.get(limit - 1).id().toString() : null);
        return reply;
    }

    public Map<String, Object> get(@ExchangeProperty(Request.PROPERTY) Request request) {
        IntegrationRecord r = request.integration(store);
        Map<String, Object> view = view(r, settingsOf(r));
        view.put("subscription", subscriptionView.apply(r.organizationId(), r.id()).orElse(null));
        return view;
    }

    public Map<String, Object> update(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID org = request.organization();
        UUID id = request.id("id", "integration");
        JsonNode body = Fields.object(request.body(), "");
        Fields.onlyKnown(body, PATCH_FIELDS, "");
        String name = Fields.text(body, "name", "name", 200, false);
        if (body.has("name") && (name == null || name.isBlank())) {
            throw new ApiException(400, "invalid_field", "name must not be blank", "name");
        }
        Boolean enabled = Fields.bool(body, "enabled", "enabled");
        Map<String, Object> view = tenancy.inOrg(org, c -> {
            IntegrationRecord current = store.get(c, org, id).orElseThrow(() -> ApiException.notFound("integration"));
            BrokerSettings currentSettings = settingsOf(current);
            BrokerSettings updatedSettings = body.has("settings")
                    ? settings.apply(currentSettings, body.get("settings"))
                    : currentSettings;
            IntegrationRecord updated = store.update(c, new IntegrationRecord(id, org, name == null ? current.name() : name,
                    current.type(), updatedSettings.storedJson(), secrets.seal(updatedSettings.secrets(), org),
                    enabled == null ? current.enabled() : enabled, null, null)).orElseThrow();
            activity.record(c, org, id, request.actorKeyId(), request.principal().actor(), "integration.updated", "ok",
                    json(Map.of("fields", changedFields(body))));
            return view(updated, updatedSettings);
        });
        changed(org, id);
        return view;
    }

    public void delete(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID org = request.organization();
        UUID id = request.id("id", "integration");
        tenancy.inOrg(org, c -> {
            if (!store.delete(c, org, id)) {
                throw ApiException.notFound("integration");
            }
            activity.record(c, org, id, request.actorKeyId(), request.principal().actor(), "integration.deleted", "ok", null);
            return null;
        });
        changed(org, id);
    }

    public Map<String, Object> activity(@ExchangeProperty(Request.PROPERTY) Request request) {
        IntegrationRecord integration = request.integration(store);
        UUID org = integration.organizationId();
        UUID id = integration.id();
        int limit = Fields.limit(request.param("limit"), 50, 500);
        Long before = beforeId(request.param("before"));
        List<ActivityEntry> entries = activity.list(org, id, before, limit);
        List<Map<String, Object>> items = new ArrayList<>();
        for (ActivityEntry e : entries) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", e.id());
            v.put("action", e.action());
            v.put("outcome", e.outcome());
            v.put("actor", e.actor());
            v.put("detail", e.detailJson() == null ? null : parse(e.detailJson()));
            v.put("createdAt", e.createdAt().toInstant().toString());
            items.add(v);
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("items", items);
        reply.put("next", entries.size() == limit ? Long.toString(entries.get(entries.size() - 1).id()) : null);
        return reply;
    }

    /** After the commit, so listeners that read the integration see the change. */
    private void changed(UUID org, UUID id) {
        onChange.forEach(listener -> listener.accept(org, id));
    }

    private BrokerSettings settingsOf(IntegrationRecord r) {
        return BrokerSettings.fromStored(r.settingsJson(), secrets.open(r.sealedSecrets(), r.organizationId()));
    }

    static Map<String, Object> view(IntegrationRecord r, BrokerSettings settings) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", r.id().toString());
        v.put("name", r.name());
        v.put("type", r.type());
        v.put("enabled", r.enabled());
        v.put("settings", IntegrationSettings.view(settings, r.id()));
        v.put("createdAt", r.createdAt().toInstant().toString());
        v.put("updatedAt", r.updatedAt().toInstant().toString());
        return v;
    }

    /** The top-level fields a PATCH body sets, with {@code settings.<key>} for each key of its settings. */
    static List<String> changedFields(JsonNode body) {
        Set<String> fields = new TreeSet<>();
        body.fieldNames().forEachRemaining(f -> {
            if (f.equals("settings") && body.get(f).isObject()) {
                body.get(f).fieldNames().forEachRemaining(s -> fields.add("settings." + s));
            } else {
                fields.add(f);
            }
        });
        return List.copyOf(fields);
    }


    private static UUID cursorId(String cursor) {
        try {
            return UUID.fromString(cursor);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "invalid_parameter", "cursor is not one this API gave out", "cursor");
        }
    }

    private static Long beforeId(String before) {
        if (before == null || before.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(before);
        } catch (NumberFormatException e) {
            throw new ApiException(400, "invalid_parameter", "before must be an activity id", "before");
        }
    }

    static String json(Object value) {
        try {
            return Json.strict().writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String json) {
        try {
            return Json.strict().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException("stored JSON is not readable", e);
        }
    }
}
