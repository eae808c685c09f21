package io.mqttintegration.runtime.auth;

import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.routes.ApiOperations;
import io.mqttintegration.security.ApiKeys;
import io.mqttintegration.security.OperatorKey;
import io.mqttintegration.storage.tenants.StoredKey;
import java.util.Optional;
import java.util.Set;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * Checks the key of every {@code /api/v1} request ({@code Authorization: Bearer <key>}; ingestion
 * also takes {@code X-API-Key}) and puts the {@link Principal} on the exchange. Keys are looked up
 * by their public prefix ({@link LiveKeys}: the row is kept at most 1 s) and checked against the keyed
 * hash in constant time on every request; a revoked key is refused on the next request by the node
 * that revoked it, within 1 s by every other node.
 */
public final class Authenticator {

    private final OperatorKey operatorKey;
    private final ApiKeys apiKeys;
    private final LiveKeys keys;
    private final RateLimiter<String> failures;
    private final ApiOperations operations;

    /**
     * @param failures wrong keys allowed per client address per minute; beyond, 429 until the window frees
     * @param operations the scope each REST operation of the route files declares
     */
    public Authenticator(OperatorKey operatorKey, ApiKeys apiKeys, LiveKeys keys, RateLimiter<String> failures,
            ApiOperations operations) {
        this.operatorKey = operatorKey;
        this.apiKeys = apiKeys;
        this.keys = keys;
        this.failures = failures;
        this.operations = operations;
    }

    /**
     * The caller's key ({@code Authorization: Bearer}), and the scope its route needs: in a REST
     * operation the one its {@code security} declares, in any other route the operator key (a
     * route that is not a declared operation, such as {@code /metrics}, is the operator's unless
     * declared otherwise). 401 without a valid key, 403 without the scope.
     */
    public void authenticate(Exchange exchange) {
        Principal principal = principal(exchange, bearer(exchange.getMessage().getHeader("Authorization", String.class)));
        String scope = operations.scopeOf(exchange.getFromRouteId()).orElse("operator");
        if (scope.equals("operator")) {
            principal.requireOperator();
        } else {
            principal.requireScope(scope);
        }
        exchange.setProperty(Principal.PROPERTY, principal);
    }

    public void authenticateIngest(Exchange exchange) {
        Principal principal = principal(exchange, ingestKey(exchange));
        principal.requireScope("ingest");
        exchange.setProperty(Principal.PROPERTY, principal);
    }

    /**
     * Whether {@link #authenticateIngest} decides without reading the database: no key, the
     * operator key, or a key whose row is kept ({@link LiveKeys}).
     */
    public boolean ingestNeedsNoLookup(Exchange exchange) {
        String key = ingestKey(exchange);
        if (key == null || key.isBlank() || operatorKey.matches(key)) {
            return true;
        }
        return ApiKeys.prefixOf(key).map(keys::holds).orElse(true);
    }

    private static String ingestKey(Exchange exchange) {
        String key = bearer(exchange.getMessage().getHeader("Authorization", String.class));
        return key != null ? key : exchange.getMessage().getHeader("X-API-Key", String.class);
    }

    /**
     * Key guessing is throttled per client address: after too many wrong keys in a minute, every
     * request from there is 429 with Retry-After (even one with a right key) until the window frees.
     */
    private Principal principal(Exchange exchange, String key) {
        String client = clientAddress(exchange);
        long wait = failures.blockedFor(client);
        if (wait > 0) {
            throw new ApiException(429, "too_many_failures", "too many requests with a missing or wrong API key from "
                    + client + "; retry in " + wait + " s").retryAfter(wait);
        }
        try {
            return principal(key);
        } catch (ApiException e) {
            if (e.status() == 401) {
                failures.acquire(client);
            }
            throw e;
        }
    }

    /**
     * Whether the request carries the operator key ({@code Authorization: Bearer}). Refuses nothing
     * and reads no database: {@code GET /health} shows its details only then, and answers up/down to
     * anyone else (load balancers send no key).
     */
    public boolean isOperator(Exchange exchange) {
        String key = bearer(exchange.getMessage().getHeader("Authorization", String.class));
        return key != null && !key.isBlank() && operatorKey.matches(key);
    }

    /** The TCP peer (not a forwarded-for header a client could set). */
    private static String clientAddress(Exchange exchange) {
        if (exchange.getMessage() instanceof HttpMessage http && http.getRequest().remoteAddress() != null) {
            return http.getRequest().remoteAddress().hostAddress();
        }
        return "unknown";
    }

    Principal principal(String key) {
        if (key == null || key.isBlank()) {
            throw unauthorized("missing API key: send Authorization: Bearer <key>");
        }
        if (operatorKey.matches(key)) {
            return Principal.operatorKey();
        }
        Optional<StoredKey> stored = ApiKeys.prefixOf(key).flatMap(keys::find);
        if (stored.isEmpty() || !apiKeys.matches(key, stored.get().hash())) {
            throw unauthorized("unknown or revoked API key");
        }
        StoredKey k = stored.get();
        return new Principal(false, k.id(), k.organizationId(), k.integrationId(), Set.copyOf(k.scopes()));
    }

    private static String bearer(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        return h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null;
    }

    private static ApiException unauthorized(String detail) {
        return new ApiException(401, "unauthorized", detail);
    }
}
