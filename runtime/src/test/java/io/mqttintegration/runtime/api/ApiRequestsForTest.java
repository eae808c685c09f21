package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.runtime.http.ApiException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The requests an API bean's unit test hands it: what the api-requests route configuration binds. */
final class ApiRequestsForTest {

    private ApiRequestsForTest() {
    }

    static Principal operator() {
        return Principal.operatorKey();
    }

    /** An organization's key with these scopes. */
    static Principal key(UUID organization, String... scopes) {
        return new Principal(false, UUID.randomUUID(), organization, null, Set.of(scopes));
    }

    static Request request(Principal caller, Map<String, String> pathParams, String query, String jsonBody) {
        return new Request(caller, pathParams, query, jsonBody == null ? null : json(jsonBody));
    }

    static Request request(Principal caller, Map<String, String> pathParams) {
        return request(caller, pathParams, null, null);
    }

    static JsonNode json(String text) {
        try {
            return Json.strict().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The API error the call answers; fails when it answers another status, or none. */
    static ApiException refused(int status, Executable call) {
        ApiException e = assertThrows(ApiException.class, call);
        assertEquals(status, e.status(), e.code() + ": " + e.getMessage());
        return e;
    }
}
