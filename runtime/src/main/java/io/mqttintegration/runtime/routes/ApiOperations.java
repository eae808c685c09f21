package io.mqttintegration.runtime.routes;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scope each REST operation of the route files requires, as its {@code security} declares it
 * ({@code security: [{key: bearer, scopes: admin}]}); the pseudo-scope {@code operator} means the
 * operator key alone. Keyed by the operation's route id, filled by the {@link RouteFileDeployer} when
 * it deploys a file ({@link RestOperationRoutes} reads the declarations) and read by the
 * authentication step on every request.
 */
public final class ApiOperations {

    /** The scopes an operation may require. */
    public static final List<String> SCOPES = List.of("admin", "read", "ingest", "operator");

    private final Map<String, String> scopes = new ConcurrentHashMap<>();

    /** The scope the operation whose route has this id requires; empty for any other route. */
    public Optional<String> scopeOf(String routeId) {
        return routeId == null ? Optional.empty() : Optional.ofNullable(scopes.get(routeId));
    }

    void put(Map<String, String> byRouteId) {
        scopes.putAll(byRouteId);
    }

    void remove(Iterable<String> routeIds) {
        routeIds.forEach(scopes::remove);
    }
}
