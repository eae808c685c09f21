package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.runtime.http.JsonRequests;
import io.mqttintegration.runtime.routes.ApiOperations;
import org.apache.camel.Exchange;

/**
 * Binds the one typed {@link Request} every API bean takes, in the API's route configuration
 * ({@code api-requests} in routes/api-replies.camel.yaml), right after authentication: the beans
 * then read no exchange. The body is read as JSON ({@link JsonRequests}: 415, 413, 400 with the
 * reason) exactly when the operation declares {@code consumes: application/json}.
 */
public final class ApiRequests {

    private final JsonRequests json;
    private final ApiOperations operations;

    public ApiRequests(JsonRequests json, ApiOperations operations) {
        this.json = json;
        this.operations = operations;
    }

    /** Route step: puts the request on the exchange ({@link Request#PROPERTY}). */
    public void bind(Exchange exchange) {
        JsonNode body = operations.readsJson(exchange.getFromRouteId()) ? json.readJson(exchange) : null;
        exchange.setProperty(Request.PROPERTY, Request.of(exchange, body));
    }
}
