package io.mqttintegration.runtime.auth;

import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.routes.ApiOperations;
import io.mqttintegration.security.ApiKeys;
import io.mqttintegration.security.OperatorKey;
import io.mqttintegration.storage.tenants.ConsoleSession;
import io.mqttintegration.storage.tenants.StoredKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Consumer;
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
    private final ConsoleSessions sessions;

    /**
     * @param failures wrong keys allowed per client address per minute; beyond, 429 until the window frees
     * @param operations the scope each REST operation of the route files declares
     * @param sessions   the web console's sessions, or null when the console is off (the cookie is then ignored)
     */
    public Authenticator(OperatorKey operatorKey, ApiKeys apiKeys, LiveKeys keys, RateLimiter<String> failures,
            ApiOperations operations, ConsoleSessions sessions) {
        this.operatorKey = operatorKey;
        this.apiKeys = apiKeys;
        this.keys = keys;
        this.failures = failures;
        this.operations = operations;
        this.sessions = sessions;
    }

    /**
     * The caller's key ({@code Authorization: Bearer}), and the scope its route needs: in a REST
     * operation the one its {@code security} declares, in any other route the operator key (a
     * route that is not a declared operation, such as {@code /metrics}, is the operator's unless
     * declared otherwise). 401 without a valid key, 403 without the scope.
     *
     * <p>Without {@code Authorization}, a web console session's cookie stands for the key it was made
     * from (same organization, scopes as the key has them now); then every method but GET and HEAD
     * needs the session's {@code X-CSRF-Token} (403 {@code csrf} otherwise).
     */
    public void authenticate(Exchange exchange) {
        Principal principal = authenticate(exchange.getFromRouteId(), exchange.getMessage().getHeader("Authorization", String.class),
                requestHeader(exchange, "Cookie"), exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class),
                requestHeader(exchange, ConsoleSessions.CSRF_HEADER), clientAddress(exchange),
                session -> exchange.setProperty(ConsoleSessions.PROPERTY, session));
        exchange.setProperty(Principal.PROPERTY, principal);
    }

    /**
     * The same check for a request served by a Vert.x handler of its own rather than a route (the
     * live stream, {@code LiveApi}): the scope is the one the operation whose route has this id
     * declares. Reads the database: call it off the event loop.
     */
    public Principal authenticate(HttpServerRequest request, String routeId) {
        return authenticate(routeId, request.getHeader("Authorization"), request.getHeader("Cookie"), request.method().name(),
                request.getHeader(ConsoleSessions.CSRF_HEADER),
                request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress(), session -> {
                });
    }

    private Principal authenticate(String routeId, String authorization, String cookie, String method, String csrf, String client,
            Consumer<ConsoleSession> sessionFound) {
        String key = bearer(authorization);
        Principal principal = key == null && sessions != null && cookie != null && ConsoleSessions.tokenIn(cookie) != null
                ? sessionPrincipal(cookie, method, csrf, sessionFound)
                : principal(client, key);
        String scope = operations.scopeOf(routeId).orElse("operator");
        if (scope.equals("operator")) {
            principal.requireOperator();
        } else {
            principal.requireScope(scope);
        }
        return principal;
    }

    /**
     * The console's own session operations (GET and DELETE /api/v1/session): the cookie alone, with
     * the CSRF check for DELETE. 401 without a live session.
     */
    public void authenticateSession(Exchange exchange) {
        if (sessions == null) {
            throw ApiException.notFound("session");
        }
        Principal principal = sessionPrincipal(requestHeader(exchange, "Cookie"),
                exchange.getMessage().getHeader(Exchange.HTTP_METHOD, String.class), requestHeader(exchange, ConsoleSessions.CSRF_HEADER),
                session -> exchange.setProperty(ConsoleSessions.PROPERTY, session));
        exchange.setProperty(Principal.PROPERTY, principal);
    }

    /**
     * Sign-in: the key a console user typed (in the body, not a header), checked like any key,
     * wrong keys counted against the client's address.
     */
    public Principal signIn(Exchange exchange, String key) {
        return principal(clientAddress(exchange), key);
    }

    private Principal sessionPrincipal(String cookie, String method, String csrf, Consumer<ConsoleSession> sessionFound) {
        String token = ConsoleSessions.tokenIn(cookie);
        ConsoleSession session = sessions.find(token)
                .orElseThrow(() -> unauthorized("the console session ended (signed out, expired or its key revoked): sign in again"));
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            if (csrf == null || !MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8),
                    session.csrfToken().getBytes(StandardCharsets.UTF_8))) {
                throw new ApiException(403, "csrf", "a request made with the console's session cookie needs its X-CSRF-Token header");
            }
        }
        sessionFound.accept(session);
        return ConsoleSessions.principal(session);
    }

    /**
     * A header as the client sent it: platform-http merges query parameters into the message's
     * headers, where {@code ?Cookie=} or {@code ?X-CSRF-Token=} in a link could stand in for one.
     */
    static String requestHeader(Exchange exchange, String name) {
        if (exchange.getMessage() instanceof HttpMessage http) {
            return http.getRequest().getHeader(name);
        }
        return exchange.getMessage().getHeader(name, String.class);
    }

    public void authenticateIngest(Exchange exchange) {
        Principal principal = principal(clientAddress(exchange), ingestKey(exchange));
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
    private Principal principal(String client, String key) {
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
