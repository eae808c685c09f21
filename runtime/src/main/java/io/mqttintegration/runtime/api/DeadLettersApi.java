package io.mqttintegration.runtime.api;

import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.runtime.ingest.DeadLetterReplay;
import io.mqttintegration.storage.DeadLetter;
import io.mqttintegration.storage.DeadLetterStore;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.ExchangeProperty;

/**
 * Ingestion's dead letters (messages the pipeline gave up on, kept with the reason): the caller's
 * organization's, newest first, a page at a time; a replay sends one through the pipeline again.
 * Another organization's dead letter is 404 like a missing one.
 */
public final class DeadLettersApi {

    private final DeadLetterStore store;
    private final DeadLetterReplay replay;

    public DeadLettersApi(DeadLetterStore store, DeadLetterReplay replay) {
        this.store = store;
        this.replay = replay;
    }

    public Map<String, Object> list(@ExchangeProperty(Request.PROPERTY) Request request) throws SQLException {
        UUID organization = request.organization();
        String integration = request.param("integrationId");
        UUID integrationId = integration == null || integration.isEmpty() ? null : Fields.uuid(integration, "integrationId");
        int limit = Fields.limit(request.param("limit"), 50, 200);
        OffsetDateTime before = null;
        UUID beforeId = null;
        String cursor = request.param("cursor");
        if (cursor != null && !cursor.isEmpty()) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|");
                before = OffsetDateTime.parse(parts[0]);
                beforeId = UUID.fromString(parts[1]);
            } catch (RuntimeException e) {
                throw new ApiException(400, "invalid_parameter", "cursor is not one this API gave", "cursor");
            }
        }
        List<DeadLetter> page = store.page(organization, integrationId, before, beforeId, limit + 1);
        List<Map<String, Object>> items = new ArrayList<>();
        for (DeadLetter d : page.subList(0, Math.min(limit, page.size()))) {
            items.add(view(d));
        }
        String next = null;
        if (page.size() > limit) {
            DeadLetter last = page.get(limit - 1);
            next = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((last.createdAt() + "|" + last.id()).getBytes(StandardCharsets.UTF_8));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("items", items);
        answer.put("next", next);
        return answer;
    }

    public Map<String, Object> replay(@ExchangeProperty(Request.PROPERTY) Request request) throws SQLException, InterruptedException {
        UUID organization = request.organization();
        UUID id = request.id("id", "dead letter");
        DeadLetter d = store.find(id).filter(found -> organization.equals(found.organizationId()))
                .orElseThrow(() -> ApiException.notFound("dead letter"));
        DeadLetterReplay.Result result = replay.replay(d);
        switch (result.status()) {
            case ALREADY_REPLAYED, NOT_REPLAYABLE -> throw new ApiException(409, result.status().name().toLowerCase(Locale.ROOT),
                    "dead letter " + id + ": " + result.detail());
            case NOT_COMMITTED -> throw new ApiException(503, "not_committed", "dead letter " + id + ": " + result.detail()).retryAfter(1);
            default -> {
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("id", id);
        answer.put("status", result.status().name().toLowerCase(Locale.ROOT));
        answer.put("messageId", result.messageId());
        answer.put("detail", result.detail());
        return answer;
    }

    static Map<String, Object> view(DeadLetter d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id());
        m.put("messageId", d.messageId());
        m.put("integrationId", d.integrationId());
        m.put("source", d.source());
        m.put("topic", d.topic());
        m.put("payloadBase64", d.payload() == null ? null : Base64.getEncoder().encodeToString(d.payload()));
        m.put("reason", d.reason());
        m.put("routeId", d.routeId());
        m.put("createdAt", d.createdAt() == null ? null : d.createdAt().toInstant().toString());
        m.put("replayedAt", d.replayedAt() == null ? null : d.replayedAt().toInstant().toString());
        return m;
    }
}
