package io.mqttintegration.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.Json;
import org.junit.jupiter.api.Test;

/** Errors are documented as JSON whatever the operation produces; successes keep their media types. */
class OpenApiErrorsTest {

    @Test
    void errorResponsesAreListedAsJsonAlone() throws Exception {
        String schema = "{\"schema\":{\"$ref\":\"#/components/schemas/ErrorBody\"}}";
        String document = "{\"paths\":{\"/export\":{\"get\":{\"responses\":{"
                + "\"200\":{\"content\":{\"text/csv\":{\"schema\":{\"type\":\"string\"}},\"application/x-ndjson\":{}}},"
                + "\"400\":{\"content\":{\"text/csv\":" + schema + ",\"application/x-ndjson\":" + schema + "}},"
                + "\"500\":{\"content\":{\"text/csv\":" + schema + "}},"
                + "\"204\":{\"description\":\"none\"}}}}}}";
        JsonNode responses = Json.strict().readTree(new OpenApiErrors().errorsAsJson(document))
                .path("paths").path("/export").path("get").path("responses");
        assertEquals("[\"text/csv\",\"application/x-ndjson\"]", Json.strict().writeValueAsString(
                Json.strict().valueToTree(iterable(responses.path("200").path("content").fieldNames()))));
        for (String code : new String[] {"400", "500"}) {
            assertEquals(1, responses.path(code).path("content").size(), code);
            assertEquals("#/components/schemas/ErrorBody",
                    responses.path(code).path("content").path("application/json").path("schema").path("$ref").asText(), code);
        }
        assertEquals("none", responses.path("204").path("description").asText());
    }

    private static java.util.List<String> iterable(java.util.Iterator<String> names) {
        java.util.List<String> list = new java.util.ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }
}
