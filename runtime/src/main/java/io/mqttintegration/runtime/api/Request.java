package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;

/**
 * One API request as the operation's bean takes it ({@code @ExchangeProperty(Request.PROPERTY)}): who
 * calls, the path and query parameters, and the JSON body of an operation that declares one. The
 * API's route configuration ({@code api-requests}) binds it before the route's first step, so a bean
 * sees no exchange and a test builds one directly.
 *
 * <p>Path parameters and query parameters are read from the request line itself, not from message
 * headers: platform-http merges request headers, query parameters and path parameters into one
 * header map, where a client's header could stand in for a path id. A path parameter is found by its
 * name in the operation's path ({@code {id}} in {@code /api/v1/integrations/{id}}).
 *
 * @param body the parsed JSON body; null for an operation that declares none
 */
public record Request(Principal principal, Map<String, String> pathParams, String query, JsonNode body) {

    /** The exchange property the request is bound to. */
    public static final String PROPERTY = "mqi.request";

    /** The request of an exchange whose caller is authenticated ({@link Principal#PROPERTY}), with this body. */
    static Request of(Exchange exchange, JsonNode body) {
        String path = exchange.getMessage().getHeader(Exchange.HTTP_PATH, String.class);
        String template = exchange.getFromEndpoint() instanceof PlatformHttpEndpoint endpoint ? endpoint.getPath() : null;
        return new Request(exchange.getProperty(Principal.PROPERTY, Principal.class), pathParams(template, path),
                exchange.getMessage().getHeader(Exchange.HTTP_RAW_QUERY, String.class), body);
    }

    /** The values of a path's {@code {name}} segments, matched segment by segment against the template. */
    static Map<String, String> pathParams(String template, String path) {
        if (template == null || path == null) {
            return Map.of();
        }
        String[] names = template.replaceFirst("^/", "").split("/");
        String[] values = path.replaceFirst("^/", "").split("/");
        if (names.length != values.length) {
            return Map.of();
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < names.length; i++) {
            if (names[i].length() > 2 && names[i].startsWith("{") && names[i].endsWith("}")) {
                params.put(names[i].substring(1, names[i].length() - 1), values[i]);
            }
        }
        return params;
    }

    /** The path parameter {@code {name}} as an id; a malformed one is simply not found. */
    UUID id(String name, String what) {
        return Fields.pathId(pathParams.get(name), what);
    }

    /** A query parameter's first value, or null. */
    String param(String name) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** The key to name in the activity log (none for the operator). */
    UUID actorKeyId() {
        return principal.operator() ? null : principal.keyId();
    }

    /**
     * The integration of {@code /api/v1/integrations/{id}/...} in the caller's organization; another
     * organization's is 404 exactly like a missing one.
     */
    IntegrationRecord integration(IntegrationStore store) {
        return store.get(organization(), id("id", "integration")).orElseThrow(() -> ApiException.notFound("integration"));
    }

    /** The organization an integrations request acts in (?organizationId= for the operator). */
    UUID organization() {
        String chosen = param("organizationId");
        return principal.ownOrganization(chosen == null ? null : Fields.uuid(chosen, "organizationId"));
    }
}
