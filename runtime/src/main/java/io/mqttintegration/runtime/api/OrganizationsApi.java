package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.runtime.quotas.Quotas;
import io.mqttintegration.storage.tenants.Organization;
import io.mqttintegration.storage.tenants.OrganizationStore;
import io.mqttintegration.storage.tenants.Quota;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.camel.ExchangeProperty;

/**
 * {@code /api/v1/organizations}: the operator creates and lists tenants;
 * {@code /api/v1/organizations/{orgId}/quotas} and {@code .../retention}: the organization's admin (and
 * the operator) reads its quotas and usage, and how long its messages are kept; the operator alone
 * changes them.
 */
public final class OrganizationsApi {

    private static final int MAX_QUOTA = 1_000_000;

    /** A retention longer than this (100 years) is a typo, not a policy: 0 keeps forever. */
    static final int MAX_RETENTION_DAYS = 36_500;

    private final OrganizationStore store;
    private final Quotas quotas;
    private final int defaultRetentionDays;

    /** @param defaultRetentionDays the node's retention.days (0: forever), for organizations without their own */
    public OrganizationsApi(OrganizationStore store, Quotas quotas, int defaultRetentionDays) {
        this.store = store;
        this.quotas = quotas;
        this.defaultRetentionDays = defaultRetentionDays;
    }

    /**
     * GET .../retention: how many days the organization's messages are kept (0: forever), the node's
     * default and the organization's own value (null: none, the default applies).
     */
    public Map<String, Object> retention(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID org = request.principal().organization(request.id("orgId", "organization"));
        return retentionView(store.retentionDays(org).orElseThrow(() -> ApiException.notFound("organization")));
    }

    /**
     * PATCH .../retention (operator only): {"retentionDays": 30} sets the organization's own retention,
     * 0 keeps its messages forever, null drops it (back to the node's default).
     */
    public Map<String, Object> updateRetention(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID org = request.id("orgId", "organization");
        JsonNode body = Fields.object(request.body(), "");
        Fields.onlyKnown(body, Set.of("retentionDays"), "");
        if (!body.has("retentionDays")) {
            throw new ApiException(400, "missing_field", "retentionDays is required (null drops the organization's own)",
                    "retentionDays");
        }
        Long days = Fields.integer(body, "retentionDays", "retentionDays", 0, MAX_RETENTION_DAYS);
        return retentionView(store.setRetentionDays(org, days == null ? null : days.intValue())
                .orElseThrow(() -> ApiException.notFound("organization")));
    }

    private Map<String, Object> retentionView(OrganizationStore.Retention own) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("retentionDays", own.days() == null ? defaultRetentionDays : own.days());
        v.put("default", defaultRetentionDays);
        v.put("override", own.days());
        return v;
    }

    /** GET: the effective quotas, each with its usage, default and override (null: none). */
    public Map<String, Object> quotas(@ExchangeProperty(Request.PROPERTY) Request request) {
        Principal p = request.principal();
        UUID org = p.organization(request.id("orgId", "organization"));
        return quotas.view(org);
    }

    /**
     * PATCH (operator only): {"integrations": 500, "publishPerSecond": null, ...}: a number sets the
     * organization's override, null drops it (back to the default); quotas not named stay.
     */
    public Map<String, Object> updateQuotas(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID org = request.id("orgId", "organization");
        JsonNode body = Fields.object(request.body(), "");
        Map<String, Quota> byKey = Stream.of(Quota.values()).collect(Collectors.toMap(Quota::key, q -> q));
        Fields.onlyKnown(body, byKey.keySet(), "");
        Map<Quota, Integer> changes = new EnumMap<>(Quota.class);
        body.fieldNames().forEachRemaining(name -> {
            Long value = Fields.integer(body, name, name, 0, MAX_QUOTA);
            changes.put(byKey.get(name), value == null ? null : value.intValue());
        });
        return quotas.update(org, changes);
    }

    public Map<String, Object> create(@ExchangeProperty(Request.PROPERTY) Request request) {
        JsonNode body = Fields.object(request.body(), "");
        Fields.onlyKnown(body, Set.of("name"), "");
        return view(store.create(Fields.text(body, "name", "name", 200, true)));
    }

    public Map<String, Object> list() {
        List<Map<String, Object>> items = store.list().stream().map(OrganizationsApi::view).toList();
        return Map.of("items", items);
    }

    static Map<String, Object> view(Organization o) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", o.id().toString());
        v.put("name", o.name());
        v.put("createdAt", o.createdAt().toInstant().toString());
        return v;
    }
}
