package io.mqttintegration.runtime.api;

import io.mqttintegration.spi.broker.RunningBroker;
import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.runtime.broker.HostedCommands;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.ingest.IngestRequestDecoder;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.runtime.integrations.IntegrationTargets;
import io.mqttintegration.runtime.integrations.MqttInput;
import io.mqttintegration.runtime.mqtt.BrokerClients;
import io.mqttintegration.runtime.mqtt.BrokerException;
import io.mqttintegration.runtime.mqtt.ConnectionTester;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import io.mqttintegration.runtime.quotas.Quotas;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.camel.ExchangeProperty;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * Operations on an integration's broker (scope admin), each written to the activity log:
 * {@code POST /api/v1/integrations/{id}/publish} publishes one message (only the body's fields reach
 * the broker: no HTTP header does; an unreachable broker answers 502 with the classified reason), and
 * {@code POST /api/v1/integrations/{id}/test} runs a timed round trip, rate-limited per organization.
 * With {@code "hosted": true} a publish goes down to a device of the hosted broker instead: only into
 * the namespace ({@code devices/<username>/}) of a live device credential of this integration
 * (anything else 403 {@code topic_not_allowed}), and 503 {@code hosted_broker_unavailable} while the
 * broker feature is not running.
 */
public final class BrokerApi {

    private static final Set<String> FIELDS = Set.of("topic", "payload", "qos", "retain", "contentType", "userProperties", "hosted");

    private final IntegrationStore integrations;
    private final ActivityLog activity;
    private final IntegrationTargets targets;
    private final BrokerClients clients;
    private final ConnectionTester tester;
    private final RateLimiter<UUID> testLimit;
    private final Quotas quotas;
    private final HostedCommands hosted;

    public BrokerApi(IntegrationStore integrations, ActivityLog activity, IntegrationTargets targets, BrokerClients clients,
            ConnectionTester tester, RateLimiter<UUID> testLimit, Quotas quotas, HostedCommands hosted) {
        this.quotas = quotas;
        this.hosted = hosted;
        this.integrations = integrations;
        this.activity = activity;
        this.targets = targets;
        this.clients = clients;
        this.tester = tester;
        this.testLimit = testLimit;
    }

    public Map<String, Object> test(@ExchangeProperty(Request.PROPERTY) Request request) {
        IntegrationRecord integration = request.integration(integrations);
        UUID org = integration.organizationId();
        UUID id = integration.id();
        long wait = testLimit.acquire(org);
        if (wait > 0) {
            throw new ApiException(429, "rate_limited", "too many connection tests for this organization; retry in "
                    + wait + " s", null).retryAfter(wait);
        }
        Map<String, Object> report = tester.test(targets.target(integration, "-test"));
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("latencyMs", report.get("latencyMs"));
        if (report.containsKey("error")) {
            detail.put("error", report.get("error"));
        }
        activity.record(org, id, request.actorKeyId(), request.principal().actor(), "integration.tested",
                Boolean.TRUE.equals(report.get("ok")) ? "ok" : "error", IntegrationsApi.json(detail));
        return report;
    }

    public Map<String, Object> publish(@ExchangeProperty(Request.PROPERTY) Request request) {
        IntegrationRecord integration = request.integration(integrations);
        UUID org = integration.organizationId();
        UUID id = integration.id();
        JsonNode body = Fields.object(request.body(), "");
        Fields.onlyKnown(body, FIELDS, "");
        String topic = Fields.text(body, "topic", "topic", 70_000, true);
        IngestRequestDecoder.checkTopic(topic, "topic");
        MqttInput.checkTopicName(topic, "topic");
        if (!body.has("payload")) {
            throw new ApiException(400, "missing_field", "payload is required (JSON, or a string sent as is)", "payload");
        }
        JsonNode payloadNode = body.get("payload");
        byte[] payload = payloadNode.isTextual() ? payloadNode.textValue().getBytes(StandardCharsets.UTF_8)
                : IntegrationsApi.json(payloadNode).getBytes(StandardCharsets.UTF_8);
        Long qos = Fields.integer(body, "qos", "qos", 0, 1);
        Boolean retain = Fields.bool(body, "retain", "retain");
        String contentType = MqttInput.checkString(Fields.text(body, "contentType", "contentType", 256, false), "contentType");
        List<UserProperty> userProperties = userProperties(body.get("userProperties"));
        if (Boolean.TRUE.equals(Fields.bool(body, "hosted", "hosted"))) {
            return publishHosted(request, integration, topic, payload, qos == null ? 0 : qos.intValue(), retain != null && retain,
                    contentType != null ? contentType : payloadNode.isTextual() ? "text/plain" : "application/json", userProperties);
        }

        MqttMessage message = new MqttMessage(payload);
        message.setQos(qos == null ? 0 : qos.intValue());
        message.setRetained(retain != null && retain);
        MqttProperties properties = new MqttProperties();
        properties.setContentType(contentType != null ? contentType : payloadNode.isTextual() ? "text/plain" : "application/json");
        properties.setUserProperties(userProperties);
        message.setProperties(properties);

        quotas.acquirePublish(org, id);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("topic", topic);
        detail.put("bytes", payload.length);
        detail.put("qos", message.getQos());
        try {
            clients.client(id, targets.target(integration, "-pub")).publish(topic, message);
        } catch (BrokerException e) {
            return failed(request, org, id, detail, e);
        } catch (MqttException e) {
            clients.invalidate(id);
            return failed(request, org, id, detail, BrokerClients.classify(e, false));
        }
        activity.record(org, id, request.actorKeyId(), request.principal().actor(), "integration.published", "ok",
                IntegrationsApi.json(detail));
        return Map.of("ok", true);
    }

    /** A command or configuration down to a hosted device, through the hosted broker. */
    private Map<String, Object> publishHosted(Request request, IntegrationRecord integration, String topic, byte[] payload, int qos,
            boolean retain, String contentType, List<UserProperty> userProperties) {
        UUID org = integration.organizationId();
        UUID id = integration.id();
        checkDeviceNamespace(org, id, topic);
        RunningBroker publisher = hosted.publisher().orElseThrow(() -> new ApiException(503, "hosted_broker_unavailable",
                "the hosted MQTT broker is not running here (feature mqtt-integration-broker, broker.enabled)"));
        quotas.acquirePublish(org, id);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("topic", topic);
        detail.put("bytes", payload.length);
        detail.put("qos", qos);
        detail.put("hosted", true);
        List<Map.Entry<String, String>> properties = new ArrayList<>(userProperties.size());
        userProperties.forEach(p -> properties.add(Map.entry(p.getKey(), p.getValue())));
        try {
            publisher.publish(topic, payload, qos, retain, contentType, properties);
        } catch (Exception e) {
            detail.put("error", "hosted_broker_unavailable");
            activity.record(org, id, request.actorKeyId(), request.principal().actor(), "integration.published", "error",
                    IntegrationsApi.json(detail));
            throw new ApiException(503, "hosted_broker_unavailable", "the hosted MQTT broker did not take the message: "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        activity.record(org, id, request.actorKeyId(), request.principal().actor(), "integration.published", "ok",
                IntegrationsApi.json(detail));
        return Map.of("ok", true);
    }

    /**
     * The topic must be inside the namespace of a live device credential of this integration
     * ({@link HostedCommands#allows}): never another integration's or organization's device, nor a
     * revoked one. All of these are the same 403, which tells nothing of other organizations.
     */
    private void checkDeviceNamespace(UUID org, UUID id, String topic) {
        if (!hosted.allows(org, id, topic)) {
            throw new ApiException(403, "topic_not_allowed", "with hosted: true the topic must be devices/<username>/... where"
                    + " <username> is a live device credential of this integration", "topic");
        }
    }

    private Map<String, Object> failed(Request request, UUID org, UUID id, Map<String, Object> detail, BrokerException e) {
        detail.put("error", e.kind());
        activity.record(org, id, request.actorKeyId(), request.principal().actor(), "integration.published", "error",
                IntegrationsApi.json(detail));
        throw new ApiException(502, "broker_" + e.kind(), e.getMessage());
    }

    private static List<UserProperty> userProperties(JsonNode node) {
        List<UserProperty> list = new ArrayList<>();
        if (node == null || node.isNull()) {
            return list;
        }
        if (!node.isObject() || node.size() > 32) {
            throw new ApiException(400, "invalid_field", "userProperties must be an object of at most 32 string values",
                    "userProperties");
        }
        node.fields().forEachRemaining(e -> {
            if (MqttInput.problem(e.getKey()) != null) {
                throw new ApiException(400, "invalid_field", "a name in userProperties " + MqttInput.problem(e.getKey())
                        + ", which MQTT does not allow", "userProperties");
            }
            if (!e.getValue().isTextual()) {
                throw new ApiException(400, "invalid_field", "userProperties." + e.getKey() + " must be a string",
                        "userProperties." + e.getKey());
            }
            MqttInput.checkString(e.getValue().textValue(), "userProperties." + e.getKey());
            list.add(new UserProperty(e.getKey(), e.getValue().textValue()));
        });
        return list;
    }
}
