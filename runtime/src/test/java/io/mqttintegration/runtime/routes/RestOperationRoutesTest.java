package io.mqttintegration.runtime.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.camel.model.rest.GetDefinition;
import org.apache.camel.model.rest.ResponseMessageDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.SecurityDefinition;
import org.apache.camel.model.rest.VerbDefinition;
import org.junit.jupiter.api.Test;

/** What an operation's declaration must hold, and what the deployer adds to it; no Camel context. */
class RestOperationRoutesTest {

    private static VerbDefinition verb(String... scopes) {
        VerbDefinition verb = new GetDefinition();
        for (String scope : scopes) {
            SecurityDefinition requirement = new SecurityDefinition();
            requirement.setKey("bearer");
            requirement.setScopes(scope);
            verb.getSecurity().add(requirement);
        }
        return verb;
    }

    @Test
    void anOperationNamesExactlyOneKnownScope() {
        assertEquals("read", RestOperationRoutes.declaredScope(verb("read"), "f"));
        assertEquals("operator", RestOperationRoutes.declaredScope(verb("operator", "operator"), "f"), "the same scope twice");
        for (VerbDefinition refused : List.of(verb(), verb("admin,read"), verb("admin", "read"), verb("root"), verb(""))) {
            RouteFileException e = assertThrows(RouteFileException.class, () -> RestOperationRoutes.declaredScope(refused, "f: GET /x"));
            assertTrue(e.getMessage().startsWith("f: GET /x: "), e.getMessage());
        }
    }

    @Test
    void anOperationReadsAJsonBodyWhenItOrItsRestBlockConsumesJson() {
        RestDefinition rest = new RestDefinition();
        VerbDefinition verb = verb("admin");
        assertFalse(RestOperationRoutes.readsJson(rest, verb), "no consumes: the body is not read");
        verb.setConsumes("application/json");
        assertTrue(RestOperationRoutes.readsJson(rest, verb));
        rest.setConsumes("application/json");
        assertTrue(RestOperationRoutes.readsJson(rest, verb("admin")), "the rest block's consumes holds for its verbs");
        verb.setConsumes("text/csv");
        assertFalse(RestOperationRoutes.readsJson(rest, verb), "a verb's own consumes wins");
    }

    @Test
    void theErrorsEveryOperationMayAnswerAreAddedToItsOwnInOrder() {
        VerbDefinition verb = verb("read");
        ResponseMessageDefinition notFound = new ResponseMessageDefinition();
        notFound.setCode("404");
        notFound.setMessage("no such thing");
        ResponseMessageDefinition ok = new ResponseMessageDefinition();
        ok.setCode("200");
        ok.setMessage("the thing");
        ResponseMessageDefinition ownForbidden = new ResponseMessageDefinition();
        ownForbidden.setCode("403");
        ownForbidden.setMessage("its own words");
        verb.getResponseMsgs().addAll(List.of(notFound, ok, ownForbidden));

        RestOperationRoutes.documentCommonErrors(verb);

        assertEquals(List.of("200", "401", "403", "404", "429", "500"), verb.getResponseMsgs().stream().map(ResponseMessageDefinition::getCode).toList());
        assertEquals("its own words", verb.getResponseMsgs().get(2).getMessage(), "a code the file documents keeps its text");
        assertEquals(RestOperationRoutes.ERROR_MODEL, verb.getResponseMsgs().get(1).getResponseModel());
    }

    @Test
    void anOperationsRouteMustTakeTheApiRequestsConfigurationThatAuthenticates() {
        org.apache.camel.model.RouteDefinition route = new org.apache.camel.model.RouteDefinition("direct:x");
        route.setId("x");
        for (String refused : new String[] {null, "http-errors", "http-errors,api-requests-old"}) {
            route.setRouteConfigurationId(refused);
            RouteFileException e = assertThrows(RouteFileException.class, () -> RestOperationRoutes.authenticated(route, "f: GET /x"),
                    String.valueOf(refused));
            assertTrue(e.getMessage().startsWith("f: GET /x: route x must take routeConfigurationId api-requests"), e.getMessage());
        }
        for (String taken : new String[] {"api-requests", "http-errors,api-requests", "http-errors, api-requests"}) {
            route.setRouteConfigurationId(taken);
            RestOperationRoutes.authenticated(route, "f: GET /x");
        }
    }
}
