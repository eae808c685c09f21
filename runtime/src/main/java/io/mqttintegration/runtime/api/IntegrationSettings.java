package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqttintegration.parsers.TopicDeviceId;
import io.mqttintegration.runtime.http.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * An MQTT integration's settings: validation with the field at fault named, defaults, and the split
 * between what is stored in clear ({@code settings} JSON) and the two secrets that are only ever
 * stored sealed (the broker password and the TLS client key). Only given values are stored;
 * defaults are filled in when the settings are shown or used.
 */
public final class IntegrationSettings {

    public static final String MASK = "********";
    static final Set<String> FIELDS = Set.of("protocol", "host", "port", "path", "clientId", "username", "password",
            "keepAliveSeconds", "sessionExpirySeconds", "qos", "topics", "sharedGroup", "tls", "parser", "parsers", "deviceIdPattern");
    static final Set<String> TLS_FIELDS = Set.of("caCertPem", "clientCertPem", "clientKeyPem", "verifyHostname");
    static final Map<String, Integer> DEFAULT_PORTS = Map.of("mqtt", 1883, "mqtts", 8883, "ws", 80, "wss", 443);
    static final int MAX_TOPICS = 100;
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** A topic level of {@code $share/<group>/<filter>}: conservative, and never / + # or NUL. */
    private static final Pattern SHARED_GROUP = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final int MAX_PEM = 64 * 1024;
    private static final Pattern WS_PATH = Pattern.compile("/([A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*");

    private final Supplier<Set<String>> parserNames;

    /** @param parserNames the parsers known now (built-in and declared in parser files) */
    public IntegrationSettings(Supplier<Set<String>> parserNames) {
        this.parserNames = parserNames;
    }

    /** Stored settings (clear) and secrets (to be sealed). */
    public record Result(ObjectNode settings, Map<String, String> secrets) {
    }

    /**
     * Applies a patch (for a new integration: the whole settings) over the current values. A field
     * set to null goes back to its default; a secret not mentioned is kept, null removes it.
     */
    public Result apply(ObjectNode current, Map<String, String> currentSecrets, JsonNode patch) {
        Fields.object(patch, "settings");
        Fields.onlyKnown(patch, FIELDS, "settings.");
        ObjectNode merged = current.deepCopy();
        Map<String, String> secrets = new TreeMap<>(currentSecrets);
        patch.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                merged.remove(e.getKey());
            } else {
                merged.set(e.getKey(), e.getValue());
            }
        });
        if (patch.has("password")) {
            merged.remove("password");
            String password = Fields.text(patch, "password", "settings.password", 1024, false);
            putOrRemove(secrets, "password", password);
        }
        if (patch.has("tls")) {
            JsonNode tls = patch.get("tls");
            if (tls.isNull()) {
                secrets.remove("clientKeyPem");
            } else {
                Fields.object(tls, "settings.tls");
                Fields.onlyKnown(tls, TLS_FIELDS, "settings.tls.");
                if (tls.has("clientKeyPem")) {
                    String key = Fields.text(tls, "clientKeyPem", "settings.tls.clientKeyPem", MAX_PEM, false);
                    if (key != null && !(key.contains("-----BEGIN") && key.contains("PRIVATE KEY-----"))) {
                        throw invalid("settings.tls.clientKeyPem", "must be a PEM private key");
                    }
                    putOrRemove(secrets, "clientKeyPem", key);
                }
                ObjectNode clearTls = tls.deepCopy();
                clearTls.remove("clientKeyPem");
                merged.set("tls", clearTls);
            }
        }
        validate(merged);
        return new Result(merged, secrets);
    }

    private void validate(ObjectNode s) {
        Set<String> parsers = parserNames.get();
        String protocol = Fields.text(s, "protocol", "settings.protocol", 5, false);
        if (protocol != null && !DEFAULT_PORTS.containsKey(protocol)) {
            throw invalid("settings.protocol", "must be one of mqtt, mqtts, ws, wss");
        }
        boolean websocket = "ws".equals(protocol) || "wss".equals(protocol);
        String host = Fields.text(s, "host", "settings.host", 253, true);
        if (!HOST.matcher(host).matches() && !IPV6.matcher(host).matches()) {
            throw invalid("settings.host", "must be a host name or an IP address, without scheme or port");
        }
        Fields.integer(s, "port", "settings.port", 1, 65_535);
        String path = Fields.text(s, "path", "settings.path", 1024, false);
        if (path != null && (!websocket || !path.startsWith("/"))) {
            throw invalid("settings.path", websocket ? "must start with /" : "applies to ws and wss only");
        }
        if (path != null) {
            checkWebSocketPath(path);
        }
        String clientId = Fields.text(s, "clientId", "settings.clientId", 128, false);
        if (clientId != null && !CLIENT_ID.matcher(clientId).matches()) {
            throw invalid("settings.clientId", "may hold letters, digits and . _ : - (1 to 128)");
        }
        Fields.text(s, "username", "settings.username", 256, false);
        Fields.integer(s, "keepAliveSeconds", "settings.keepAliveSeconds", 0, 65_535);
        Fields.integer(s, "sessionExpirySeconds", "settings.sessionExpirySeconds", 0, 4_294_967_295L);
        Fields.integer(s, "qos", "settings.qos", 0, 1);
        JsonNode topics = s.get("topics");
        if (topics != null) {
            if (!topics.isArray() || topics.size() > MAX_TOPICS) {
                throw invalid("settings.topics", "must be an array of at most " + MAX_TOPICS + " topic filters");
            }
            for (int i = 0; i < topics.size(); i++) {
                String path2 = "settings.topics[" + i + "]";
                if (!topics.get(i).isTextual()) {
                    throw invalid(path2, "must be a string");
                }
                checkFilter(topics.get(i).textValue(), path2);
            }
        }
        String group = Fields.text(s, "sharedGroup", "settings.sharedGroup", 64, false);
        if (group != null && !SHARED_GROUP.matcher(group).matches()) {
            throw invalid("settings.sharedGroup", "may hold letters, digits and . _ - (1 to 64): it becomes one topic level"
                    + " of $share/<group>/<filter>, so no / + # ");
        }
        JsonNode tls = s.get("tls");
        if (tls != null) {
            for (String pem : List.of("caCertPem", "clientCertPem")) {
                String value = Fields.text(tls, pem, "settings.tls." + pem, MAX_PEM, false);
                if (value != null && !value.contains("-----BEGIN CERTIFICATE-----")) {
                    throw invalid("settings.tls." + pem, "must be a PEM certificate");
                }
            }
            Fields.bool(tls, "verifyHostname", "settings.tls.verifyHostname");
        }
        String parser = Fields.text(s, "parser", "settings.parser", 100, false);
        if (parser != null && !parsers.contains(parser)) {
            throw invalid("settings.parser", "unknown parser '" + parser + "'; known: " + new TreeSet<>(parsers));
        }
        JsonNode rules = s.get("parsers");
        if (rules != null) {
            if (!rules.isArray() || rules.size() > MAX_TOPICS) {
                throw invalid("settings.parsers", "must be an array of at most " + MAX_TOPICS + " {topic, parser} rules");
            }
            for (int i = 0; i < rules.size(); i++) {
                String at = "settings.parsers[" + i + "]";
                Fields.object(rules.get(i), at);
                Fields.onlyKnown(rules.get(i), Set.of("topic", "parser"), at + ".");
                checkFilter(Fields.text(rules.get(i), "topic", at + ".topic", 65_535, true), at + ".topic");
                String name = Fields.text(rules.get(i), "parser", at + ".parser", 100, true);
                if (!parsers.contains(name)) {
                    throw invalid(at + ".parser", "unknown parser '" + name + "'; known: " + new TreeSet<>(parsers));
                }
            }
        }
        String pattern = Fields.text(s, "deviceIdPattern", "settings.deviceIdPattern", TopicDeviceId.MAX_PATTERN_LENGTH, false);
        if (pattern != null) {
            checkDeviceIdPattern(pattern);
        }
    }

    /**
     * An MQTT topic filter: + and # only as whole levels, # only last, not empty, not beginning with
     * $, and no character MQTT forbids ({@link MqttInput}).
     */
    static void checkFilter(String filter, String path) {
        if (filter.isEmpty() || filter.indexOf('\u0000') >= 0 || filter.getBytes(StandardCharsets.UTF_8).length > 65_535) {
            throw invalid(path, "must be a non-empty topic filter without NUL, at most 65535 bytes");
        }
        String problem = MqttInput.filterProblem(filter);
        if (problem != null) {
            throw invalid(path, problem);
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if ((level.contains("+") && !level.equals("+")) || (level.contains("#") && !level.equals("#"))
                    || (level.equals("#") && i != levels.length - 1)) {
                throw invalid(path, "uses + or # wrongly: each must be a whole level, and # the last one");
            }
        }
    }

    /**
     * A WebSocket path the connection's URI can hold as it is: an absolute path of URI characters
     * (RFC 3986: unreserved, sub-delims, : @ / and %XX escapes), so no space, query, fragment or
     * malformed escape. Non-ASCII goes percent-encoded ({@code /v%C3%A9}).
     */
    static void checkWebSocketPath(String path) {
        if (!WS_PATH.matcher(path).matches()) {
            throw invalid("settings.path", "must be a URI path: letters, digits, - . _ ~ ! $ & ' ( ) * + , ; = : @ / and %XX"
                    + " escapes (no space, ?, # or malformed %)");
        }
    }

    /**
     * A topic template with {deviceId} ("devices/{deviceId}/+"), or a regex with one group that RE2
     * matches in linear time (no backreferences, no lookaround): it runs on every message.
     */
    static void checkDeviceIdPattern(String pattern) {
        if (pattern.contains("{deviceId}")) {
            if (pattern.indexOf("{deviceId}") != pattern.lastIndexOf("{deviceId}")) {
                throw invalid("settings.deviceIdPattern", "names {deviceId} more than once");
            }
            checkFilter(pattern.replace("{deviceId}", "+"), "settings.deviceIdPattern");
        }
        try {
            TopicDeviceId.of(pattern);
        } catch (IllegalArgumentException e) {
            throw invalid("settings.deviceIdPattern", "is not a usable pattern: " + e.getMessage()
                    + " (a regex with exactly one capturing group, or a {deviceId} level)");
        }
    }

    /** The settings as shown: defaults filled in, secrets masked. */
    public static Map<String, Object> view(ObjectNode stored, Set<String> secretNames, UUID integrationId) {
        String protocol = stored.path("protocol").asText("mqtt");
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("protocol", protocol);
        v.put("host", stored.path("host").asText());
        v.put("port", stored.has("port") ? stored.get("port").asInt() : DEFAULT_PORTS.get(protocol));
        if (protocol.startsWith("ws")) {
            v.put("path", stored.path("path").asText("/mqtt"));
        }
        v.put("clientId", stored.has("clientId") ? stored.get("clientId").asText() : defaultClientId(integrationId));
        if (stored.has("username")) {
            v.put("username", stored.get("username").asText());
        }
        if (secretNames.contains("password")) {
            v.put("password", MASK);
        }
        v.put("keepAliveSeconds", stored.has("keepAliveSeconds") ? stored.get("keepAliveSeconds").asInt() : 60);
        v.put("sessionExpirySeconds", stored.has("sessionExpirySeconds") ? stored.get("sessionExpirySeconds").asLong() : 86_400L);
        v.put("qos", stored.has("qos") ? stored.get("qos").asInt() : 1);
        v.put("topics", stored.has("topics") ? stored.get("topics") : JsonNodeFactory.instance.arrayNode());
        if (stored.has("sharedGroup")) {
            v.put("sharedGroup", stored.get("sharedGroup").asText());
        }
        if (stored.has("tls") || secretNames.contains("clientKeyPem")) {
            ObjectNode tls = stored.has("tls") ? stored.get("tls").deepCopy() : JsonNodeFactory.instance.objectNode();
            if (secretNames.contains("clientKeyPem")) {
                tls.put("clientKeyPem", MASK);
            }
            if (!tls.has("verifyHostname")) {
                tls.put("verifyHostname", true);
            }
            v.put("tls", tls);
        }
        v.put("parser", stored.path("parser").asText("standard"));
        if (stored.has("parsers")) {
            v.put("parsers", stored.get("parsers"));
        }
        if (stored.has("deviceIdPattern")) {
            v.put("deviceIdPattern", stored.get("deviceIdPattern").asText());
        }
        return v;
    }

    /** A stable client id from the integration id, within MQTT's guaranteed 23 characters. */
    public static String defaultClientId(UUID integrationId) {
        return "mqi-" + integrationId.toString().replace("-", "").substring(0, 19);
    }

    /**
     * The client id of one node's session in a shared subscription: each node needs its own (two
     * clients with one id knock each other off). The default id stays within MQTT's guaranteed 23
     * characters ({@code mqi-} + fewer hex digits of the integration id + {@code -<node>}) for node
     * ids of up to 10 characters; a chosen {@code clientId} gets {@code -<node>} appended, as the
     * {@code -pub} and {@code -test} clients do.
     */
    public static String nodeClientId(String clientId, UUID integrationId, String nodeId) {
        if (!clientId.equals(defaultClientId(integrationId))) {
            return clientId + "-" + nodeId;
        }
        String hex = integrationId.toString().replace("-", "");
        return "mqi-" + hex.substring(0, Math.max(8, 23 - 5 - nodeId.length())) + "-" + nodeId;
    }

    private static void putOrRemove(Map<String, String> secrets, String name, String value) {
        if (value == null) {
            secrets.remove(name);
        } else {
            secrets.put(name, value);
        }
    }

    private static ApiException invalid(String field, String detail) {
        return new ApiException(400, "invalid_field", field + " " + detail, field);
    }
}
