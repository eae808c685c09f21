package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.runtime.auth.Principal;
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
import org.apache.camel.Exchange;

/**
 * {@code /api/v1/organizations}: the operator creates and lists tenants;
 * {@code /api/v1/organizations/{orgId}/quotas}: the organization's admin (and the operator) reads its
 * quotas and usage, the operator alone changes them.
 */
public final class OrganizationsApi {

    private static final int MAX_QUOTA = 1_000_000;

    private final OrganizationStore store;
    private final Quotas quotas;

    public OrganizationsApi(OrganizationStore store, Quotas quotas) {
        this.store = store;
        this.quotas = quotas;
    }

    /** GET: the effective quotas, each with its usage, default and override (null: none). */
    public Map<String, Object> quotas(Exchange exchange) {
        Request request = Request.of(exchange);
        Principal p = request.principal();
        UUID org = p.organization(request.id("orgId", "organization"));
        return quotas.view(org);
    }

    /**
     * PATCH (operator only): {"integrations": 500, "publishPerSecond": null, ...}: a number sets the
     * organization's override, null drops it (back to the default); quotas not named stay.
     */
    public Map<String, Object> updateQuotas(Exchange exchange) {
        Request request = Request.of(exchange);
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

    public Map<String, Object> create(Exchange exchange) {
        Request request = Request.of(exchange);
        JsonNode body = Fields.object(request.body(), "");
        Fields.onlyKnown(body, Set.of("name"), "");
        return view(store.create(Fields.text(body, "name", "name", 200, true)));
    }

    public Map<String, Object> list(Exchange exchange) {
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
