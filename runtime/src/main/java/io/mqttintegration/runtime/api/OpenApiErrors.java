package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqttintegration.parsers.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * Corrects the OpenAPI document Camel generates: it lists each response under every media type the
 * operation produces, but an error is always JSON ({@code ErrorBody}, whatever the operation
 * produces: see HttpErrors). Camel 4.14's reader ignores a response's own content type, so an
 * operation that produces CSV (the telemetry export) would document its 400 as text/csv.
 */
public final class OpenApiErrors {

    /** The document with the content of every 4xx and 5xx response under application/json alone. */
    public String errorsAsJson(String document) {
        try {
            JsonNode root = Json.strict().readTree(document);
            for (JsonNode path : root.path("paths")) {
                for (JsonNode operation : path) {
                    Iterator<Map.Entry<String, JsonNode>> responses = operation.path("responses").fields();
                    while (responses.hasNext()) {
                        Map.Entry<String, JsonNode> response = responses.next();
                        JsonNode content = response.getValue().path("content");
                        if ((response.getKey().startsWith("4") || response.getKey().startsWith("5")) && content.isObject()
                                && content.size() > 0) {
                            JsonNode schema = content.has("application/json") ? content.get("application/json")
                                    : content.elements().next();
                            ((ObjectNode) content).removeAll().set("application/json", schema);
                        }
                    }
                }
            }
            return Json.strict().writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
