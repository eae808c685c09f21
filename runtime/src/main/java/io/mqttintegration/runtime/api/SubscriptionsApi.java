package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.integrations.BrokerSettings;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.runtime.quotas.Quotas;
import io.mqttintegration.storage.tenants.Quota;
import io.mqttintegration.runtime.subscriptions.SubscriptionStatus;
import io.mqttintegration.runtime.subscriptions.Subscriptions;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.SubscriptionRecord;
import io.mqttintegration.storage.tenants.SubscriptionStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.ExchangeProperty;

/**
 * {@code POST|DELETE /api/v1/integrations/{id}/subscribe} (scope admin): starts, updates or stops
 * the integration's persistent subscription. The wanted topics are stored (with the activity entry,
 * in one transaction) so the service re-creates the subscription when it starts again.
 */
public final class SubscriptionsApi {

    private static final Set<String> FIELDS = Set.of("topics", "qos");

    private final Tenancy tenancy;
    private final IntegrationStore integrations;
    private final SubscriptionStore store;
    private final ActivityLog activity;
    private final Subscriptions subscriptions;
    private final Quotas quotas;

    public SubscriptionsApi(Tenancy tenancy, IntegrationStore integrations, SubscriptionStore store, ActivityLog activity,
            Subscriptions subscriptions, Quotas quotas) {
        this.quotas = quotas;
        this.tenancy = tenancy;
        this.integrations = integrations;
        this.store = store;
        this.activity = activity;
        this.subscriptions = subscriptions;
    }

    /** Body {"topics": [...]?, "qos": 0|1?}; without topics, the integration's settings.topics. */
    public Map<String, Object> subscribe(@ExchangeProperty(Request.PROPERTY) Request request) {
        IntegrationRecord integration = request.integration(integrations);
        UUID org = integration.organizationId();
        UUID id = integration.id();
        JsonNode body = request.body() == null ? IntegrationsApi.parse("{}") : Fields.object(request.body(), "");
        Fields.onlyKnown(body, FIELDS, "");
        BrokerSettings settings = BrokerSettings.fromStored(integration.settingsJson(), Map.of());
        List<String> topics = body.has("topics") ? topics(body.get("topics"), "topics")
                : filters(settings.topicsOrDefault(), "settings.topics");
        Long qos = Fields.integer(body, "qos", "qos", 0, 1);
        int level = qos != null ? qos.intValue() : settings.qosOrDefault();
        if (!integration.enabled()) {
            throw new ApiException(409, "integration_disabled", "the integration is disabled; enable it first", null);
        }
        SubscriptionRecord saved = tenancy.inOrg(org, c -> {
            quotas.reserve(c, org, Quota.SUBSCRIPTIONS, id); // subscribing again takes no new slot
            // Without a shared group it runs on this node only (see Subscriptions): subscribing moves it here.
            SubscriptionRecord r = store.save(c, new SubscriptionRecord(id, org, topics, level), subscriptions.nodeId());
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("topics", topics);
            detail.put("qos", level);
            activity.record(c, org, id, request.actorKeyId(), request.principal().actor(), "integration.subscribed", "ok",
                    IntegrationsApi.json(detail));
            return r;
        });
        SubscriptionStatus status = subscriptions.start(saved);
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("subscribed", saved.topics().size());
        reply.put("topics", saved.topics());
        reply.put("qos", saved.qos());
        reply.put("state", status.view().get("state"));
        return reply;
    }

    /** Stops the subscription and ends its broker session. */
    public Map<String, Object> unsubscribe(@ExchangeProperty(Request.PROPERTY) Request request) {
        IntegrationRecord integration = request.integration(integrations);
        UUID org = integration.organizationId();
        UUID id = integration.id();
        boolean existed = tenancy.inOrg(org, c -> {
            boolean deleted = store.delete(c, org, id);
            if (deleted) {
                activity.record(c, org, id, request.actorKeyId(), request.principal().actor(), "integration.unsubscribed",
                        "ok", null);
            }
            return deleted;
        });
        if (!existed) {
            throw ApiException.notFound("subscription");
        }
        subscriptions.stop(id, true);
        return Map.of("subscribed", 0, "state", "stopped");
    }

    private static List<String> topics(JsonNode node, String path) {
        if (node == null || !node.isArray() || node.isEmpty() || node.size() > BrokerSettings.MAX_TOPICS) {
            throw notFilters(path);
        }
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual()) {
                throw new ApiException(400, "invalid_field", path + "[" + i + "] must be a string", path + "[" + i + "]");
            }
            topics.add(node.get(i).textValue());
        }
        return filters(topics, path);
    }

    /** The filters checked, each once, in order. */
    private static List<String> filters(List<String> topics, String path) {
        if (topics.isEmpty() || topics.size() > BrokerSettings.MAX_TOPICS) {
            throw notFilters(path);
        }
        for (int i = 0; i < topics.size(); i++) {
            BrokerSettings.checkFilter(topics.get(i), path + "[" + i + "]");
        }
        return new ArrayList<>(new LinkedHashSet<>(topics));
    }

    private static ApiException notFilters(String path) {
        return new ApiException(400, "invalid_field", path + " must be a non-empty array of at most " + BrokerSettings.MAX_TOPICS
                + " topic filters", path);
    }
}
