package io.mqttintegration.runtime.routes;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.model.rest.ResponseMessageDefinition;
import org.apache.camel.model.rest.SecurityDefinition;
import org.apache.camel.model.rest.VerbDefinition;

/**
 * The scope each REST operation of the route files requires, as its {@code security} declares it
 * ({@code security: [{key: bearer, scopes: admin}]}); the pseudo-scope {@code operator} means the
 * operator key alone. Keyed by the operation's route id, filled by the {@link RouteFileDeployer} when
 * it deploys a file and read by the authentication step on every request.
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

    /** The errors every operation may answer, for its OpenAPI description. */
    private static final Map<String, String> COMMON_ERRORS = new java.util.LinkedHashMap<>(Map.of(
            "401", "no key, or an unknown or revoked one (WWW-Authenticate: Bearer)",
            "403", "the key lacks the scope this operation needs",
            "429", "too many requests with a wrong key from this address (Retry-After)",
            "500", "a bug: the service log has the stack trace under the id in detail"));

    /** The model of every error answer. */
    public static final String ERROR_MODEL = "io.mqttintegration.runtime.http.ErrorBody";

    /**
     * Adds to the verb's documented responses the errors that every authenticated operation may
     * answer (the route file names only its own: 400, 404, 409 ...).
     */
    static void documentCommonErrors(VerbDefinition verb) {
        COMMON_ERRORS.forEach((code, message) -> {
            if (verb.getResponseMsgs().stream().noneMatch(r -> code.equals(r.getCode()))) {
                ResponseMessageDefinition response = new ResponseMessageDefinition();
                response.setCode(code);
                response.setMessage(message);
                response.setResponseModel(ERROR_MODEL);
                verb.getResponseMsgs().add(response);
            }
        });
        verb.getResponseMsgs().sort(java.util.Comparator.comparing(ResponseMessageDefinition::getCode));
    }

    /**
     * The one scope a verb declares; a verb that declares none, or several, or one not in
     * {@link #SCOPES}, is refused (an operation without a declared scope would be open to any key).
     */
    static String declaredScope(VerbDefinition verb, String where) {
        List<SecurityDefinition> security = verb.getSecurity();
        String scope = null;
        if (security != null) {
            for (SecurityDefinition requirement : security) {
                String s = requirement.getScopes() == null ? "" : requirement.getScopes().trim();
                if (s.isEmpty() || s.contains(",") || (scope != null && !scope.equals(s))) {
                    throw new RouteFileException(where + ": security must name one scope (" + String.join(", ", SCOPES)
                            + "), got '" + requirement.getScopes() + "'");
                }
                scope = s;
            }
        }
        if (scope == null || !SCOPES.contains(scope)) {
            throw new RouteFileException(where + ": every REST operation declares the scope it needs: security: [{key: bearer, scopes: <"
                    + String.join("|", SCOPES) + ">}]" + (scope == null ? "" : ", not '" + scope + "'"));
        }
        return scope;
    }
}
