package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.TelemetryStore;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.ExchangeProperty;

/**
 * {@code /api/v1/telemetry}, {@code /telemetry/latest}, {@code /telemetry/aggregate} and
 * {@code /api/v1/messages}: readings and raw messages of the caller's organization (scope read),
 * newest first, with opaque cursors ({@link TelemetryCursors}).
 */
public final class TelemetryApi {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;
    static final Map<String, Duration> BUCKETS = Map.of("1m", Duration.ofMinutes(1), "5m", Duration.ofMinutes(5),
            "1h", Duration.ofHours(1), "1d", Duration.ofDays(1));
    static final Set<String> FUNCTIONS = Set.of("avg", "min", "max", "count");

    private final TelemetryStore store;
    private final IntegrationStore integrations;

    public TelemetryApi(TelemetryStore store, IntegrationStore integrations) {
        this.store = store;
        this.integrations = integrations;
    }

    public Map<String, Object> readings(@ExchangeProperty(Request.PROPERTY) Request r) {
        UUID org = r.organization();
        UUID integration = integration(r, org);
        String metric = text(r, "metric");
        int limit = Fields.limit(r.param("limit"), DEFAULT_LIMIT, MAX_LIMIT);
        TelemetryStore.After after = TelemetryCursors.parseReading(r.param("cursor"));
        List<TelemetryStore.Row> rows = store.readings(org, integration, text(r, "deviceId"), metric, time(r, "from"),
                time(r, "to"), after, limit + 1);
        List<Map<String, Object>> items = new ArrayList<>();
        for (TelemetryStore.Row row : rows.subList(0, Math.min(limit, rows.size()))) {
            items.add(view(row, metric));
        }
        String next = null;
        if (rows.size() > limit) {
            TelemetryStore.Row last = rows.get(limit - 1);
            next = TelemetryCursors.reading(last.timestamp(), last.messageId(), last.seq());
        }
        return page(items, next);
    }

    public Map<String, Object> latest(@ExchangeProperty(Request.PROPERTY) Request r) {
        UUID org = r.organization();
        UUID integration = integration(r, org);
        String device = text(r, "deviceId");
        // One device: its newest reading is the first entry of its index, not a DISTINCT ON over all of them.
        List<TelemetryStore.Row> rows = device != null
                ? store.readings(org, integration, device, null, null, null, null, 1)
                : store.latest(org, integration);
        List<Map<String, Object>> items = new ArrayList<>();
        for (TelemetryStore.Row row : rows) {
            items.add(view(row, null));
        }
        return Map.of("items", items);
    }

    public Map<String, Object> aggregate(@ExchangeProperty(Request.PROPERTY) Request r) {
        UUID org = r.organization();
        UUID integration = integration(r, org);
        String metric = required(r, "metric");
        Instant from = required(time(r, "from"), "from");
        Instant to = required(time(r, "to"), "to");
        String bucketName = r.param("bucket") == null ? "1h" : r.param("bucket");
        Duration bucket = BUCKETS.get(bucketName);
        if (bucket == null) {
            throw new ApiException(400, "invalid_parameter", "bucket must be one of 1m, 5m, 1h, 1d", "bucket");
        }
        String fn = r.param("fn") == null ? "avg" : r.param("fn");
        if (!FUNCTIONS.contains(fn)) {
            throw new ApiException(400, "invalid_parameter", "fn must be one of avg, min, max, count", "fn");
        }
        if (!to.isAfter(from)) {
            throw new ApiException(400, "invalid_parameter", "to must be after from", "to");
        }
        if (Duration.between(from, to).dividedBy(bucket) > MAX_LIMIT) {
            throw new ApiException(400, "invalid_parameter", "from..to holds more than " + MAX_LIMIT + " buckets", "bucket");
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (TelemetryStore.Bucket b : store.aggregate(org, integration, text(r, "deviceId"), metric, from, to,
                bucket.toSeconds() + " seconds")) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("start", b.start().toString());
            v.put("value", switch (fn) {
                case "min" -> b.min();
                case "max" -> b.max();
                case "count" -> b.count();
                default -> b.avg();
            });
            v.put("count", b.count());
            items.add(v);
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("metric", metric);
        reply.put("bucket", bucketName);
        reply.put("fn", fn);
        reply.put("items", items);
        return reply;
    }

    public Map<String, Object> messages(@ExchangeProperty(Request.PROPERTY) Request r) {
        UUID org = r.organization();
        UUID integration = integration(r, org);
        int limit = Fields.limit(r.param("limit"), DEFAULT_LIMIT, MAX_LIMIT);
        TelemetryCursors.MessageCursor after = TelemetryCursors.parseMessage(r.param("cursor"));
        List<TelemetryStore.Message> rows = store.messages(org, integration, text(r, "topic"), time(r, "from"),
                time(r, "to"), after == null ? null : after.receivedAt(), after == null ? null : after.messageId(), limit + 1);
        List<Map<String, Object>> items = new ArrayList<>();
        for (TelemetryStore.Message m : rows.subList(0, Math.min(limit, rows.size()))) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("messageId", m.messageId().toString());
            v.put("integrationId", m.integrationId() == null ? null : m.integrationId().toString());
            v.put("source", m.source());
            v.put("topic", m.topic());
            v.put("contentType", m.contentType());
            String text = utf8(m.payload());
            if (text != null) {
                v.put("payload", text);
            } else {
                v.put("payloadBase64", Base64.getEncoder().encodeToString(m.payload()));
            }
            v.put("parseStatus", m.parseStatus());
            if (m.parseError() != null) {
                v.put("parseError", m.parseError());
            }
            v.put("receivedAt", m.receivedAt().toString());
            items.add(v);
        }
        String next = null;
        if (rows.size() > limit) {
            TelemetryStore.Message last = rows.get(limit - 1);
            next = TelemetryCursors.message(last.receivedAt(), last.messageId());
        }
        return page(items, next);
    }

    private UUID integration(Request r, UUID org) {
        String value = r.param("integrationId");
        if (value == null || value.isEmpty()) {
            return null;
        }
        UUID id = Fields.uuid(value, "integrationId");
        if (integrations.get(org, id).isEmpty()) {
            throw new ApiException(404, "not_found", "no such integration", "integrationId");
        }
        return id;
    }

    private static Map<String, Object> view(TelemetryStore.Row row, String onlyMetric) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("deviceId", row.deviceId());
        v.put("timestamp", row.timestamp().toString());
        JsonNode metrics = IntegrationsApi.parse(row.metricsJson());
        JsonNode units = row.unitsJson() == null ? null : IntegrationsApi.parse(row.unitsJson());
        if (onlyMetric != null) {
            metrics = ((ObjectNode) metrics).retain(onlyMetric);
            units = units == null ? null : ((ObjectNode) units).retain(onlyMetric);
        }
        v.put("metrics", metrics);
        if (units != null && !units.isEmpty()) {
            v.put("units", units);
        }
        v.put("topic", row.topic());
        v.put("integrationId", row.integrationId() == null ? null : row.integrationId().toString());
        return v;
    }

    private static Map<String, Object> page(List<Map<String, Object>> items, String next) {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("items", items);
        reply.put("next", next);
        return reply;
    }

    static String text(Request r, String name) {
        String v = r.param(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (v.length() > 1024 || v.indexOf('\u0000') >= 0) {
            throw new ApiException(400, "invalid_parameter", name + " must be at most 1024 characters, without NUL", name);
        }
        return v;
    }

    private static String required(Request r, String name) {
        String v = text(r, name);
        if (v == null) {
            throw new ApiException(400, "missing_parameter", name + " is required", name);
        }
        return v;
    }

    private static Instant required(Instant value, String name) {
        if (value == null) {
            throw new ApiException(400, "missing_parameter", name + " is required (ISO-8601 with offset)", name);
        }
        return value;
    }

    /** ISO-8601 with an offset; a time without one is ambiguous and refused. */
    static Instant time(Request r, String name) {
        String v = r.param(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            Instant t = OffsetDateTime.parse(v).toInstant();
            if (t.isBefore(Instant.parse("0001-01-01T00:00:00Z")) || t.isAfter(Instant.parse("9999-12-31T23:59:59Z"))) {
                throw new DateTimeParseException("out of range", v, 0);
            }
            return t;
        } catch (DateTimeParseException e) {
            throw new ApiException(400, "invalid_parameter",
                    name + " must be ISO-8601 with an offset, e.g. 2026-11-26T10:00:00Z", name);
        }
    }

    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
