package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.runtime.auth.LiveKeys;
import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.security.ApiKeys;
import io.mqttintegration.storage.tenants.ApiKeyRecord;
import io.mqttintegration.storage.tenants.ApiKeyStore;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.OrganizationStore;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.ExchangeProperty;

/**
 * {@code /api/v1/organizations/{orgId}/api-keys}: the operator, or an organization's admin key for
 * its own organization, creates (the key is shown once), lists (never the key) and revokes keys.
 */
public final class ApiKeysApi {


    private final ApiKeys keys;
    private final ApiKeyStore store;
    private final OrganizationStore organizations;
    private final IntegrationStore integrations;
    private final LiveKeys live;

    /** @param live forgets a revoked key at once on this node (others within their cache time, 1 s) */
    public ApiKeysApi(ApiKeys keys, ApiKeyStore store, OrganizationStore organizations, IntegrationStore integrations,
            LiveKeys live) {
        this.keys = keys;
        this.live = live;
        this.store = store;
        this.organizations = organizations;
        this.integrations = integrations;
    }

    public Map<String, Object> create(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID org = adminOf(request);
        JsonNode body = Fields.object(request.body(), "");
        Fields.onlyKnown(body, Set.of("name", "scopes", "integrationId"), "");
        String name = Fields.text(body, "name", "name", 200, true);
        List<String> scopes = scopes(body.get("scopes"));
        UUID integrationId = Fields.uuid(body, "integrationId", "integrationId");
        if (integrationId != null && integrations.get(org, integrationId).isEmpty()) {
            throw new ApiException(404, "not_found", "no such integration", "integrationId");
        }
        ApiKeys.NewKey generated = keys.generate();
        Map<String, Object> view = view(store.create(org, name, scopes, integrationId, generated.prefix(), generated.hash()));
        view.put("key", generated.key());
        return view;
    }

    public Map<String, Object> list(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID org = adminOf(request);
        return Map.of("items", store.list(org).stream().map(ApiKeysApi::view).toList());
    }

    public void revoke(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID org = adminOf(request);
        UUID id = request.id("keyId", "API key");
        if (!store.revoke(org, id)) {
            throw ApiException.notFound("API key");
        }
        live.revoked(id);
    }

    /** The organization in the path, if the caller administers it; 404 for any other. */
    private UUID adminOf(Request request) {
        Principal p = request.principal();
        UUID org = p.organization(request.id("orgId", "organization"));
        if (p.operator() && !organizations.exists(org)) {
            throw ApiException.notFound("organization");
        }
        return org;
    }

    private static List<String> scopes(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new ApiException(400, "invalid_field", "scopes must be a non-empty array of admin, ingest, read", "scopes");
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode s = node.get(i);
            if (!s.isTextual() || !Principal.SCOPES.contains(s.textValue())) {
                throw new ApiException(400, "invalid_field", "scopes[" + i + "] must be admin, ingest or read", "scopes[" + i + "]");
            }
            scopes.add(s.textValue());
        }
        return List.copyOf(scopes);
    }

    static Map<String, Object> view(ApiKeyRecord k) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", k.id().toString());
        v.put("name", k.name());
        v.put("scopes", k.scopes());
        v.put("prefix", k.prefix());
        if (k.integrationId() != null) {
            v.put("integrationId", k.integrationId().toString());
        }
        v.put("createdAt", k.createdAt().toInstant().toString());
        if (k.revokedAt() != null) {
            v.put("revokedAt", k.revokedAt().toInstant().toString());
        }
        return v;
    }
}
