package io.mqttintegration.runtime.routes;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each REST operation of the route files declares that its requests depend on: the scope it
 * requires, as its {@code security} declares it ({@code security: [{key: bearer, scopes: admin}]};
 * the pseudo-scope {@code operator} means the operator key alone), and whether it takes a JSON body
 * ({@code consumes: application/json}). Keyed by the operation's route id, filled by the
 * {@link RouteFileDeployer} when it deploys a file ({@link RestOperationRoutes} reads the
 * declarations) and read on every request by the steps the API's route configuration runs first
 * (authentication, the request's binding).
 */
public final class ApiOperations {

    /** The scopes an operation may require. */
    public static final List<String> SCOPES = List.of("admin", "read", "ingest", "operator");

    /** One operation's declarations: its scope, and whether its body is JSON to read. */
    public record Operation(String scope, boolean readsJson) {
    }

    private final Map<String, Operation> operations = new ConcurrentHashMap<>();

    /** The scope the operation whose route has this id requires; empty for any other route. */
    public Optional<String> scopeOf(String routeId) {
        return operation(routeId).map(Operation::scope);
    }

    /** Whether the operation whose route has this id declares a JSON body; false for any other route. */
    public boolean readsJson(String routeId) {
        return operation(routeId).map(Operation::readsJson).orElse(false);
    }

    private Optional<Operation> operation(String routeId) {
        return routeId == null ? Optional.empty() : Optional.ofNullable(operations.get(routeId));
    }

    void put(Map<String, Operation> byRouteId) {
        operations.putAll(byRouteId);
    }

    void remove(Iterable<String> routeIds) {
        routeIds.forEach(operations::remove);
    }
}
