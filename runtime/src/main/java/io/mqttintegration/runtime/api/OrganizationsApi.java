package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.storage.tenants.Organization;
import io.mqttintegration.storage.tenants.OrganizationStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;

/** {@code /api/v1/organizations}: the operator creates and lists tenants. */
public final class OrganizationsApi {

    private final OrganizationStore store;

    public OrganizationsApi(OrganizationStore store) {
        this.store = store;
    }

    public Map<String, Object> create(Exchange exchange) {
        Request request = Request.of(exchange);
        request.principal().requireOperator();
        JsonNode body = Fields.object(request.body(), "");
        Fields.onlyKnown(body, Set.of("name"), "");
        return view(store.create(Fields.text(body, "name", "name", 200, true)));
    }

    public Map<String, Object> list(Exchange exchange) {
        Request.of(exchange).principal().requireOperator();
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
