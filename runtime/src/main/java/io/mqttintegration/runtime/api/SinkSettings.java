package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.runtime.integrations.SealedSecrets;
import io.mqttintegration.runtime.mqtt.BrokerTargets;
import io.mqttintegration.runtime.sinks.KafkaBootstrap;
import io.mqttintegration.runtime.sinks.SinkKinds;
import io.mqttintegration.runtime.sinks.SinkSignatures;
import io.mqttintegration.runtime.sinks.WebhookUrls;
import io.mqttintegration.storage.sinks.SinkRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A sink's settings: its kind's template parameters, the plain ones as stored ({@code settingsJson})
 * and the secret ones ({@link SinkKinds.Param#secret}) opened, to be sealed. {@link #apply} checks
 * what a request sets against the kind: only its parameters, never {@code sinkId} (the service's
 * own) nor {@code signingSecret} (made by the service), strings, numbers or booleans without
 * property placeholders (a value with <code>{{...}}</code> would be resolved against the service's
 * configuration when the route is made), every required one set; for kind webhook the receiver's URL
 * ({@link WebhookUrls}) and {@code timeoutMillis}; for kind kafka the bootstrap servers ({@link KafkaBootstrap});
 * for kind mqtt its target, exactly one of {@code integrationId} and {@code hosted: true} (what the
 * organization's integrations and the hosted broker say of them is {@link SinksApi}'s to check).
 */
record SinkSettings(ObjectNode plain, Map<String, String> secrets) {

    static final String MASK = "********";
    private static final String WEBHOOK = "webhook";
    private static final String KAFKA = "kafka";
    static final String MQTT = "mqtt";
    static final String INTEGRATION_ID = "integrationId";
    static final String HOSTED = "hosted";
    static final String TOPIC = "topic";
    private static final int MAX_VALUE_LENGTH = 4096;

    static SinkSettings empty() {
        return new SinkSettings(Json.strict().createObjectNode(), new TreeMap<>());
    }

    static SinkSettings of(SinkRecord sink, SealedSecrets box) {
        try {
            ObjectNode plain = (ObjectNode) Json.strict().readTree(sink.settingsJson());
            return new SinkSettings(plain, new TreeMap<>(box.open(sink.sealedSecrets(), sink.organizationId())));
        } catch (IOException e) {
            throw new UncheckedIOException("a sink's stored settings are not JSON", e);
        }
    }

    /** The settings with the service's own secret (the webhook's signing secret) set. */
    SinkSettings withSecret(String name, String value) {
        Map<String, String> s = new TreeMap<>(secrets);
        s.put(name, value);
        return new SinkSettings(plain, s);
    }

    /** Whether the service makes this parameter itself: {@code signingSecret}, the secret receivers check signatures with. */
    static boolean madeByService(String parameter) {
        return SinkSignatures.SECRET.equals(parameter);
    }

    /**
     * These settings with those of a request's {@code settings} object applied: each field given
     * replaces the current one, {@code null} removes it (its template default applies).
     *
     * @param given the request's {@code settings}, or null when it sent none
     * @throws ApiException 400 naming the field at fault
     */
    SinkSettings apply(SinkKinds.Kind kind, JsonNode given, BrokerTargets guard) {
        ObjectNode plain = this.plain.deepCopy();
        Map<String, String> secrets = new TreeMap<>(this.secrets);
        if (given != null && !given.isNull()) {
            Fields.object(given, "settings");
            for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                String name = field.getKey();
                String path = "settings." + name;
                SinkKinds.Param param = param(kind, name, path);
                JsonNode value = field.getValue();
                plain.remove(name);
                secrets.remove(name);
                if (value.isNull()) {
                    continue;
                }
                String text = text(value, path);
                if (param.secret()) {
                    secrets.put(name, text);
                } else {
                    plain.set(name, value);
                }
            }
        }
        for (SinkKinds.Param p : kind.params()) {
            if (p.required() && !madeByService(p.name()) && !plain.has(p.name()) && !secrets.containsKey(p.name())) {
                throw new ApiException(400, "missing_field", "settings." + p.name() + " is required for kind " + kind.name()
                        + (p.description() == null ? "" : " (" + p.description() + ")"), "settings." + p.name());
            }
        }
        SinkSettings applied = new SinkSettings(plain, secrets);
        if (kind.name().equals(WEBHOOK)) {
            applied.checkWebhook(given, guard);
        }
        if (kind.name().equals(KAFKA)) {
            applied.checkKafka(given, guard);
        }
        if (kind.name().equals(MQTT)) {
            applied.checkMqttTarget();
        }
        applied.checkConcurrency();
        return applied;
    }

    private static SinkKinds.Param param(SinkKinds.Kind kind, String name, String path) {
        if (SinkKinds.SINK_ID.equals(name)) {
            throw new ApiException(400, "invalid_field", path + " is the service's own (the sink's id); it cannot be set", path);
        }
        if (madeByService(name) && kind.param(name).isPresent()) {
            throw new ApiException(400, "invalid_field", path + " is made by the service: shown once when the sink is created,"
                    + " and again by POST .../rotate-secret; it cannot be set", path);
        }
        return kind.param(name).orElseThrow(() -> new ApiException(400, "unknown_field", "unknown field '" + path + "': kind "
                + kind.name() + " takes " + kind.params().stream().map(SinkKinds.Param::name).filter(n -> !madeByService(n))
                        .collect(Collectors.joining(", ")), path));
    }

    /** A value as its template parameter gets it. */
    private static String text(JsonNode value, String path) {
        if (!value.isTextual() && !value.isNumber() && !value.isBoolean()) {
            throw new ApiException(400, "invalid_field", path + " must be a string, a number or true/false", path);
        }
        String text = value.isTextual() ? value.textValue() : value.toString();
        if (text.length() > MAX_VALUE_LENGTH) {
            throw new ApiException(400, "invalid_field", path + " is longer than " + MAX_VALUE_LENGTH + " characters", path);
        }
        if (text.indexOf('\u0000') >= 0) {
            throw new ApiException(400, "invalid_field", path + " must not contain NUL", path);
        }
        if (text.contains("{{") || text.contains("}}")) {
            throw new ApiException(400, "invalid_field", path + " must not contain {{ or }} (a property placeholder)", path);
        }
        return text;
    }

    /** The webhook's URL (when the request sets one) and its timeout. */
    private void checkWebhook(JsonNode given, BrokerTargets guard) {
        String path = "settings." + WebhookUrls.URL;
        JsonNode url = plain.get(WebhookUrls.URL);
        if (url != null && given != null && given.has(WebhookUrls.URL)) {
            String problem = url.isTextual() ? WebhookUrls.malformed(url.textValue()) : "must be a string";
            if (problem != null) {
                throw new ApiException(400, "invalid_field", path + " " + problem, path);
            }
            if (!WebhookUrls.allowed(url.textValue(), guard)) {
                throw new ApiException(400, "target_not_allowed", path + ": its host does not resolve, or resolves to an address"
                        + " sinks may not reach (loopback, private, link-local or metadata; the operator allows private receivers with"
                        + " mqtt.allowedTargets or mqtt.allowPrivateTargets)", path);
            }
        }
        JsonNode timeout = plain.get("timeoutMillis");
        if (timeout != null) {
            String text = timeout.isTextual() ? timeout.textValue() : timeout.toString();
            if (!text.matches("[0-9]{1,6}") || Integer.parseInt(text) < 100 || Integer.parseInt(text) > 600_000) {
                throw new ApiException(400, "invalid_field", "settings.timeoutMillis must be a whole number from 100 to 600000",
                        "settings.timeoutMillis");
            }
        }
    }

    /** A sink's deliveries in flight at once, when its template declares the parameter and the request sets it. */
    private void checkConcurrency() {
        JsonNode value = plain.get(SinkKinds.CONCURRENCY);
        if (value != null) {
            if (SinkKinds.concurrency(value.isTextual() ? value.textValue() : value.toString()).isEmpty()) {
                String path = "settings." + SinkKinds.CONCURRENCY;
                throw new ApiException(400, "invalid_field", path + " must be a whole number from 1 to " + SinkKinds.MAX_CONCURRENCY,
                        path);
            }
        }
    }

    /** The Kafka sink's bootstrap servers, when the request sets them: the same guard as a webhook's receiver. */
    private void checkKafka(JsonNode given, BrokerTargets guard) {
        String path = "settings." + KafkaBootstrap.BROKERS;
        JsonNode brokers = plain.get(KafkaBootstrap.BROKERS);
        if (brokers != null && given != null && given.has(KafkaBootstrap.BROKERS)) {
            String problem = brokers.isTextual() ? KafkaBootstrap.malformed(brokers.textValue()) : "must be a string";
            if (problem != null) {
                throw new ApiException(400, "invalid_field", path + " " + problem, path);
            }
            if (!KafkaBootstrap.allowed(brokers.textValue(), guard)) {
                throw new ApiException(400, "target_not_allowed", path + ": a host does not resolve, or resolves to an address"
                        + " sinks may not reach (loopback, private, link-local or metadata; the operator allows private targets with"
                        + " mqtt.allowedTargets or mqtt.allowPrivateTargets)", path);
            }
        }
    }

    /**
     * An MQTT sink publishes to an integration's broker ({@code integrationId}) or to the hosted
     * broker ({@code hosted: true}): exactly one of them.
     */
    private void checkMqttTarget() {
        JsonNode hosted = plain.get(HOSTED);
        if (hosted != null && !hosted.isBoolean()) {
            throw new ApiException(400, "invalid_field", "settings.hosted must be true or false", "settings.hosted");
        }
        JsonNode integration = plain.get(INTEGRATION_ID);
        if (hosted() && integration != null) {
            throw new ApiException(400, "invalid_field", "settings.hosted: true and settings.integrationId cannot both be set: an MQTT"
                    + " sink publishes either to an integration's broker (integrationId) or to the hosted broker's devices (hosted: true)",
                    "settings.hosted");
        }
        if (!hosted() && integration == null) {
            throw new ApiException(400, "missing_field", "settings.integrationId is required for kind mqtt (the integration whose"
                    + " broker receives the messages), unless settings.hosted is true (the hosted broker's device namespace)",
                    "settings.integrationId");
        }
        if (integration != null) {
            Fields.uuid(integration.isTextual() ? integration.textValue() : integration.toString(), "settings.integrationId");
        }
    }

    /** An MQTT sink's target integration, when it has one. */
    Optional<UUID> targetIntegration() {
        JsonNode integration = plain.get(INTEGRATION_ID);
        return integration == null || !integration.isTextual() ? Optional.empty() : Optional.of(UUID.fromString(integration.textValue()));
    }

    /** Whether an MQTT sink publishes into the hosted broker. */
    boolean hosted() {
        JsonNode hosted = plain.get(HOSTED);
        return hosted != null && hosted.isBoolean() && hosted.booleanValue();
    }

    /** A plain setting's text, or null. */
    String text(String name) {
        JsonNode value = plain.get(name);
        return value == null ? null : value.isTextual() ? value.textValue() : value.toString();
    }

    /** As the API shows them: the plain ones, and each secret as {@value #MASK}. */
    Map<String, Object> view() {
        Map<String, Object> v = new LinkedHashMap<>();
        plain.fields().forEachRemaining(e -> v.put(e.getKey(), e.getValue()));
        secrets.keySet().forEach(name -> v.put(name, MASK));
        return v;
    }

    String plainJson() {
        return IntegrationsApi.json(plain);
    }
}
