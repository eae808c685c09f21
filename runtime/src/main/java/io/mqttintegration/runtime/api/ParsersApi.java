package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.parsers.PayloadParseException;
import io.mqttintegration.parsers.PayloadParser;
import io.mqttintegration.parsers.Reading;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.runtime.ingest.IntegrationParsers;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.ExchangeProperty;

/**
 * {@code POST /api/v1/integrations/{id}/parsers/test}: a parser dry-run. The sample goes through the
 * parser the pipeline would choose for a message of the integration on that topic (its topic rules,
 * its parser, its deviceIdPattern: {@link IntegrationParsers}), and the readings or the error come
 * back. Nothing is stored, queued or counted.
 */
public final class ParsersApi {

    /** The largest topic the pipeline accepts. */
    static final int MAX_TOPIC = 1024;

    private final IntegrationStore integrations;
    private final IntegrationParsers parsers;

    public ParsersApi(IntegrationStore integrations, IntegrationParsers parsers) {
        this.integrations = integrations;
        this.parsers = parsers;
    }

    public Map<String, Object> test(@ExchangeProperty(Request.PROPERTY) Request request) {
        IntegrationRecord integration = request.integration(integrations);
        JsonNode body = request.body();
        Fields.onlyKnown(body, Set.of("topic", "payload", "payloadBase64", "contentType"), "");
        String topic = Fields.text(body, "topic", "topic", MAX_TOPIC, true);
        String contentType = Fields.text(body, "contentType", "contentType", 200, false);
        InboundMessage sample = new InboundMessage(InboundMessage.Source.HTTP, topic, payload(body), contentType, Instant.now(),
                integration.organizationId(), integration.id());
        PayloadParser parser = parsers.parserFor(sample);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("parser", parser.name());
        List<Reading> readings = List.of();
        String error = null;
        if (parser.readsPayloads()) {
            try {
                readings = parser.parse(topic, sample.payload(), contentType, sample.receivedAt());
            } catch (PayloadParseException e) {
                error = parser.name() + ": " + e.getMessage();
            } catch (RuntimeException e) {
                // As the pipeline says it (MessageParsing): the message would be stored raw with this reason.
                error = parser.name() + " failed: " + e;
            }
        }
        answer.put("parseStatus", error == null ? "parsed" : "failed");
        answer.put("error", error);
        answer.put("readings", readings(readings));
        return answer;
    }

    /** Readings as the API shows them everywhere: {deviceId, ts, metrics, units}. */
    static List<Map<String, Object>> readings(List<Reading> readings) {
        List<Map<String, Object>> out = new ArrayList<>(readings.size());
        for (Reading r : readings) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("deviceId", r.deviceId());
            m.put("ts", r.timestamp().toString());
            m.put("metrics", r.metrics());
            m.put("units", r.units());
            out.add(m);
        }
        return out;
    }

    /** The sample: {@code payload} as UTF-8 text or {@code payloadBase64} as bytes, exactly one. */
    private static byte[] payload(JsonNode body) {
        boolean text = body.hasNonNull("payload");
        boolean base64 = body.hasNonNull("payloadBase64");
        if (text == base64) {
            throw new ApiException(400, text ? "invalid_field" : "missing_field",
                    "give the sample as payload (text) or payloadBase64 (bytes), one of them", "payload");
        }
        if (text) {
            JsonNode p = body.get("payload");
            if (!p.isTextual()) {
                throw new ApiException(400, "invalid_field", "payload must be a string (the payload's text)", "payload");
            }
            return p.textValue().getBytes(StandardCharsets.UTF_8);
        }
        JsonNode p = body.get("payloadBase64");
        try {
            if (!p.isTextual()) {
                throw new IllegalArgumentException("not a string");
            }
            return Base64.getDecoder().decode(p.textValue());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "invalid_field", "payloadBase64 must be base64 text", "payloadBase64");
        }
    }
}
