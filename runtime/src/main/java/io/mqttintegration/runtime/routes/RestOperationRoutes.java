package io.mqttintegration.runtime.routes;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.rest.ResponseMessageDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.SecurityDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.apache.camel.util.URISupport;

/**
 * The routes of a route file's REST operations. Each operation sends to {@code direct:<id>} of a
 * route in the same file and names the one scope it needs ({@code security}); that route becomes
 * the operation's route: it keeps its id, route configuration, stream caching, steps and source line, and consumes
 * from the REST endpoint instead (no second route, no {@code direct} hop). Camel's own inlining
 * would keep the REST route's generated id and drop the route configuration.
 */
final class RestOperationRoutes {

    /** The route configuration every REST operation's route takes (routes/api-replies.camel.yaml). */
    static final String API_REQUESTS = "api-requests";

    private RestOperationRoutes() {
    }

    /**
     * Makes each REST operation's route: the route of the {@code direct:} endpoint the operation
     * sends to, consuming from the REST endpoint (its id, route configuration and steps kept), in
     * place of that route in {@code routes}. Returns each operation's scope and whether it reads a
     * JSON body ({@code consumes: application/json}), by route id.
     */
    static Map<String, ApiOperations.Operation> make(CamelContext context, Path file, List<RestDefinition> rests,
            List<RouteDefinition> routes) {
        Map<String, ApiOperations.Operation> scopes = new LinkedHashMap<>();
        if (rests.isEmpty()) {
            return scopes;
        }
        Map<String, RouteDefinition> directs = new LinkedHashMap<>();
        for (RouteDefinition route : routes) {
            String uri = route.getEndpointUrl();
            if (uri != null && uri.startsWith("direct:")) {
                directs.put(uri, route);
            }
        }
        for (RestDefinition rest : rests) {
            Map<String, RouteDefinition> targets = new LinkedHashMap<>();
            for (VerbDefinition verb : rest.getVerbs()) {
                String where = file + ": " + verb.asVerb().toUpperCase() + " " + path(rest, verb);
                String to = verb.getTo() == null ? null : verb.getTo().getEndpointUri();
                RouteDefinition target = to == null ? null : directs.get(to.contains("?") ? to.substring(0, to.indexOf('?')) : to);
                if (target == null || !target.hasCustomIdAssigned()) {
                    throw new RouteFileException(where + " must send to direct:<id> of a route with that id in the same file"
                            + (to == null ? "" : " (" + to + " is not one)"));
                }
                if (targets.containsValue(target) || scopes.containsKey(target.getRouteId())) {
                    throw new RouteFileException(where + ": route " + target.getRouteId() + " serves two operations");
                }
                authenticated(target, where);
                scopes.put(target.getRouteId(), new ApiOperations.Operation(declaredScope(verb, where), readsJson(rest, verb)));
                documentCommonErrors(verb);
                verb.setRouteId(target.getRouteId());
                if (verb.getId() == null) {
                    // the OpenAPI operationId
                    verb.setId(target.getRouteId());
                }
                targets.put(target.getRouteId(), target);
            }
            for (RouteDefinition operation : rest.asRouteDefinition(context)) {
                RouteDefinition target = targets.get(operation.getRouteId());
                operation.getInput().setUri(withoutContentNegotiation(operation.getInput().getUri()));
                operation.getOutputs().clear();
                operation.getOutputs().addAll(target.getOutputs());
                operation.setRouteConfigurationId(target.getRouteConfigurationId());
                // a streamed answer's route turns stream caching off (api-telemetry-export)
                operation.setStreamCache(target.getStreamCache());
                // where /health and the console say the route comes from
                operation.setLocation(target.getLocation());
                operation.setLineNumber(target.getLineNumber());
                operation.getInput().setLocation(target.getInput().getLocation());
                operation.getInput().setLineNumber(target.getInput().getLineNumber());
                if (target.getDescription() != null) {
                    operation.setDescription(target.getDescription());
                }
                routes.set(routes.indexOf(target), operation);
            }
        }
        return scopes;
    }

    /**
     * The operation's consumes/produces document it, but are not given to the router: Vert.x would
     * answer a request with another Content-Type or Accept itself (415/406, plain text) before the
     * route runs, where the API answers its own JSON error (JsonRequests: 415 with the reason).
     */
    static String withoutContentNegotiation(String uri) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return uri;
        }
        try {
            Map<String, Object> options = URISupport.parseQuery(uri.substring(q + 1));
            options.remove("consumes");
            options.remove("produces");
            String query = URISupport.createQueryString(options);
            return uri.substring(0, q) + (query.isEmpty() ? "" : "?" + query);
        } catch (java.net.URISyntaxException e) {
            throw new RouteFileException("cannot read the REST endpoint " + uri + ": " + e.getMessage(), e);
        }
    }

    /** Whether the operation declares a JSON body: its own {@code consumes}, else its rest block's. */
    static boolean readsJson(RestDefinition rest, VerbDefinition verb) {
        String consumes = verb.getConsumes() != null ? verb.getConsumes() : rest.getConsumes();
        return consumes != null && consumes.contains("json");
    }

    private static String path(RestDefinition rest, VerbDefinition verb) {
        String base = rest.getPath() == null ? "" : rest.getPath();
        return verb.getPath() == null ? base : base.replaceAll("/$", "") + "/" + verb.getPath().replaceAll("^/", "");
    }

    /** The errors every operation may answer, for its OpenAPI description. */
    private static final Map<String, String> COMMON_ERRORS = new LinkedHashMap<>(Map.of(
            "401", "no key, or an unknown or revoked one (WWW-Authenticate: Bearer)",
            "403", "the key lacks the scope this operation needs",
            "429", "too many requests with a wrong key from this address (Retry-After)",
            "500", "a bug: the service log has the stack trace under the id in detail"));

    /** The model of every error answer. */
    static final String ERROR_MODEL = "io.mqttintegration.runtime.http.ErrorBody";

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
        verb.getResponseMsgs().sort(Comparator.comparing(ResponseMessageDefinition::getCode));
    }

    /**
     * An operation's route must take the API's route configuration {@value #API_REQUESTS}, whose
     * {@code interceptFrom} authenticates the caller and binds the request: a route without it would
     * answer without a key. Refused like an operation without a scope.
     */
    static void authenticated(RouteDefinition target, String where) {
        String ids = target.getRouteConfigurationId();
        if (ids == null || java.util.Arrays.stream(ids.split(",")).map(String::trim).noneMatch(API_REQUESTS::equals)) {
            throw new RouteFileException(where + ": route " + target.getRouteId() + " must take routeConfigurationId "
                    + API_REQUESTS + " (it authenticates every operation), e.g. routeConfigurationId: http-errors," + API_REQUESTS
                    + (ids == null ? "" : "; it takes " + ids));
        }
    }

    /**
     * The one scope a verb declares; a verb that declares none, or several, or one not in
     * {@link #ApiOperations.SCOPES}, is refused (an operation without a declared scope would be open to any key).
     */
    static String declaredScope(VerbDefinition verb, String where) {
        List<SecurityDefinition> security = verb.getSecurity();
        String scope = null;
        if (security != null) {
            for (SecurityDefinition requirement : security) {
                String s = requirement.getScopes() == null ? "" : requirement.getScopes().trim();
                if (s.isEmpty() || s.contains(",") || (scope != null && !scope.equals(s))) {
                    throw new RouteFileException(where + ": security must name one scope (" + String.join(", ", ApiOperations.SCOPES)
                            + "), got '" + requirement.getScopes() + "'");
                }
                scope = s;
            }
        }
        if (scope == null || !ApiOperations.SCOPES.contains(scope)) {
            throw new RouteFileException(where + ": every REST operation declares the scope it needs: security: [{key: bearer, scopes: <"
                    + String.join("|", ApiOperations.SCOPES) + ">}]" + (scope == null ? "" : ", not '" + scope + "'"));
        }
        return scope;
    }
}
