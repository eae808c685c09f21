package io.mqttintegration.runtime.integrations;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.parsers.Parsers;
import io.mqttintegration.parsers.TopicDeviceId;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.runtime.mqtt.TlsContexts;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * An MQTT integration's broker settings, read once from the stored settings JSON and the opened
 * secrets. The components are the values given (null: not given, so the default applies); the
 * {@code ...OrDefault} methods are what a connection, the API view and the console use, and hold the
 * only copy of the defaults. Only given values are stored, so a default applies to every integration
 * that did not choose otherwise, and a port follows the protocol. The two secrets ({@link #password},
 * {@link Tls#clientKeyPem}) are stored sealed, never in the settings JSON ({@link #storedJson}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true) // a stored row stays readable; input is checked field by field first
public record BrokerSettings(String protocol, String host, Integer port, String path, String clientId, String username,
        String password, Integer keepAliveSeconds, Long sessionExpirySeconds, Integer qos, List<String> topics,
        String sharedGroup, Tls tls, String parser, List<ParserRule> parsers, String deviceIdPattern,
        MessageIdentity messageIdentity, Integer inactivityTimeoutSeconds) {

    /** TLS for mqtts and wss: a CA (else the JVM's trust store), an optional client certificate and key. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Tls(String caCertPem, String clientCertPem, String clientKeyPem, Boolean verifyHostname) {

        public boolean verifyHostnameOrDefault() {
            return verifyHostname == null || verifyHostname;
        }

        /** The client key masked: a record's own toString would put it in any log line or exception that names it. */
        @Override
        public String toString() {
            return "Tls[caCertPem=" + (caCertPem == null ? null : "(" + caCertPem.length() + " chars)") + ", clientCertPem="
                    + (clientCertPem == null ? null : "(" + clientCertPem.length() + " chars)") + ", clientKeyPem="
                    + (clientKeyPem == null ? null : IntegrationSettings.MASK) + ", verifyHostname=" + verifyHostname + "]";
        }
    }

    /**
     * Where a subscription's messages carry their own id: an MQTT 5 user property or a JSON pointer
     * into the payload (exactly one). Stored once per integration, so a message delivered again after
     * a crash between commit and PUBACK is not stored twice.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record MessageIdentity(String userProperty, String jsonPointer) {
    }

    /** A per-topic parser choice; the first rule whose filter matches wins. */
    public record ParserRule(String topic, String parser) {
    }

    static final Set<String> FIELDS = Set.of("protocol", "host", "port", "path", "clientId", "username", "password",
            "keepAliveSeconds", "sessionExpirySeconds", "qos", "topics", "sharedGroup", "tls", "parser", "parsers", "deviceIdPattern",
            "messageIdentity", "inactivityTimeoutSeconds");
    static final Set<String> TLS_FIELDS = Set.of("caCertPem", "clientCertPem", "clientKeyPem", "verifyHostname");
    static final Map<String, Integer> DEFAULT_PORTS = Map.of("mqtt", 1883, "mqtts", 8883, "ws", 80, "wss", 443);
    public static final int MAX_TOPICS = 100;
    /** Ten minutes without a message: offline (inactivityTimeoutSeconds). */
    public static final int DEFAULT_INACTIVITY_TIMEOUT_SECONDS = 600;
    static final int MAX_INACTIVITY_TIMEOUT_SECONDS = 31_536_000;
    static final int MAX_PEM = 64 * 1024;
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** A topic level of {@code $share/<group>/<filter>}: conservative, and never / + # or NUL. */
    private static final Pattern SHARED_GROUP = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern WS_PATH = Pattern.compile("/([A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*");

    public BrokerSettings {
        topics = topics == null ? null : List.copyOf(topics);
        parsers = parsers == null ? null : List.copyOf(parsers);
    }

    /** Nothing given: what a new integration's settings apply to. */
    public static BrokerSettings empty() {
        return new BrokerSettings(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    // ---- defaults: the only place they are written down

    public String protocolOrDefault() {
        return protocol == null ? "mqtt" : protocol;
    }

    public int portOrDefault() {
        return port != null ? port : DEFAULT_PORTS.get(protocolOrDefault());
    }

    public boolean websocket() {
        return protocolOrDefault().startsWith("ws");
    }

    /** The WebSocket path; null for plain and TLS connections, which have none. */
    public String pathOrDefault() {
        return !websocket() ? null : path == null ? "/mqtt" : path;
    }

    public String clientIdOrDefault(UUID integrationId) {
        return clientId != null ? clientId : defaultClientId(integrationId);
    }

    public int keepAliveSecondsOrDefault() {
        return keepAliveSeconds == null ? 60 : keepAliveSeconds;
    }

    /** One day: the broker keeps the subscription's messages through a restart or a short outage. */
    public long sessionExpirySecondsOrDefault() {
        return sessionExpirySeconds == null ? 86_400L : sessionExpirySeconds;
    }

    public int qosOrDefault() {
        return qos == null ? 1 : qos;
    }

    public List<String> topicsOrDefault() {
        return topics == null ? List.of() : topics;
    }

    /** The TLS settings; none given means the JVM's trust store, no client certificate, the name checked. */
    public Tls tlsOrDefault() {
        return tls == null ? new Tls(null, null, null, null) : tls;
    }

    public String parserOrDefault() {
        return parser == null ? Parsers.DEFAULT : parser;
    }

    public List<ParserRule> parsersOrDefault() {
        return parsers == null ? List.of() : parsers;
    }

    /**
     * Device presence: a device of the integration without a hosted connection goes offline when its
     * last stored message is older than this (s); 0: never. The sweep reads the stored value in SQL
     * and is given this default (docs/devices.md).
     */
    public int inactivityTimeoutSecondsOrDefault() {
        return inactivityTimeoutSeconds == null ? DEFAULT_INACTIVITY_TIMEOUT_SECONDS : inactivityTimeoutSeconds;
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
    /**
     * The client id of this node's subscription: node-specific ({@link #nodeClientId}) with a
     * {@code sharedGroup}, so each node holds a session of its own in the group; without, the
     * integration's client id.
     */
    public String subscriptionClientId(UUID integrationId, String nodeId) {
        String clientId = clientIdOrDefault(integrationId);
        return sharedGroup == null ? clientId : nodeClientId(clientId, integrationId, nodeId);
    }

    public static String nodeClientId(String clientId, UUID integrationId, String nodeId) {
        if (!clientId.equals(defaultClientId(integrationId))) {
            return clientId + "-" + nodeId;
        }
        String hex = integrationId.toString().replace("-", "");
        return "mqi-" + hex.substring(0, Math.max(8, 23 - 5 - nodeId.length())) + "-" + nodeId;
    }

    // ---- stored form: clear JSON plus sealed secrets

    /**
     * The settings of a stored integration. Not validated again: they were when written, and a
     * parser or pattern that became unusable since is reported where it is used.
     */
    public static BrokerSettings fromStored(String settingsJson, Map<String, String> secrets) {
        try {
            return Json.strict().readValue(settingsJson, BrokerSettings.class).withSecrets(secrets);
        } catch (Exception e) {
            throw new IllegalStateException("stored settings are not readable", e);
        }
    }

    /** The clear settings JSON, as stored: given values only, never a secret. */
    public String storedJson() {
        try {
            return Json.strict().writeValueAsString(withSecrets(Map.of()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The clear settings as a tree, to apply a patch to. */
    ObjectNode storedTree() {
        return Json.strict().valueToTree(withSecrets(Map.of()));
    }

    /** The secrets to seal: {@code password} and {@code clientKeyPem}, those given. */
    public Map<String, String> secrets() {
        Map<String, String> secrets = new TreeMap<>();
        if (password != null) {
            secrets.put("password", password);
        }
        if (tls != null && tls.clientKeyPem() != null) {
            secrets.put("clientKeyPem", tls.clientKeyPem());
        }
        return secrets;
    }

    private BrokerSettings withSecrets(Map<String, String> secrets) {
        String key = secrets.get("clientKeyPem");
        Tls t = tls == null && key == null ? null
                : tls == null ? new Tls(null, null, key, null)
                : new Tls(tls.caCertPem(), tls.clientCertPem(), key, tls.verifyHostname());
        return new BrokerSettings(protocol, host, port, path, clientId, username, secrets.get("password"), keepAliveSeconds,
                sessionExpirySeconds, qos, topics, sharedGroup, t, parser, parsers, deviceIdPattern, messageIdentity,
                inactivityTimeoutSeconds);
    }

    // ---- validation: every refusal names the field at fault

    /**
     * Settings from given values (a JSON object of the clear fields) and the two secrets, checked.
     *
     * @param parserNames the parsers known now (built-in and declared in parser files)
     * @throws ApiException 400 naming the field at fault
     */
    static BrokerSettings of(ObjectNode given, String password, String clientKeyPem, Set<String> parserNames) {
        validate(given, parserNames);
        BrokerSettings settings;
        try {
            settings = Json.strict().treeToValue(given, BrokerSettings.class);
        } catch (Exception e) {
            throw new IllegalStateException("validated settings do not bind", e);
        }
        Map<String, String> secrets = new TreeMap<>();
        if (password != null) {
            secrets.put("password", password);
        }
        if (clientKeyPem != null) {
            secrets.put("clientKeyPem", clientKeyPem);
        }
        return settings.withSecrets(secrets);
    }

    private static void validate(ObjectNode s, Set<String> parsers) {
        Fields.onlyKnown(s, FIELDS, "settings.");
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
                String at = "settings.topics[" + i + "]";
                if (!topics.get(i).isTextual()) {
                    throw invalid(at, "must be a string");
                }
                checkFilter(topics.get(i).textValue(), at);
            }
        }
        String group = Fields.text(s, "sharedGroup", "settings.sharedGroup", 64, false);
        if (group != null && !SHARED_GROUP.matcher(group).matches()) {
            throw invalid("settings.sharedGroup", "may hold letters, digits and . _ - (1 to 64): it becomes one topic level"
                    + " of $share/<group>/<filter>, so no / + # ");
        }
        JsonNode tls = s.get("tls");
        if (tls != null) {
            Fields.object(tls, "settings.tls");
            Fields.onlyKnown(tls, TLS_FIELDS, "settings.tls.");
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
        JsonNode identity = s.get("messageIdentity");
        if (identity != null) {
            checkMessageIdentity(identity);
        }
        Fields.integer(s, "inactivityTimeoutSeconds", "settings.inactivityTimeoutSeconds", 0, MAX_INACTIVITY_TIMEOUT_SECONDS);
    }

    /** Exactly one of {@code userProperty} (a name) and {@code jsonPointer} (RFC 6901, "/a/b"). */
    static void checkMessageIdentity(JsonNode identity) {
        String at = "settings.messageIdentity";
        Fields.object(identity, at);
        Fields.onlyKnown(identity, Set.of("userProperty", "jsonPointer"), at + ".");
        String property = Fields.text(identity, "userProperty", at + ".userProperty", 256, false);
        String pointer = Fields.text(identity, "jsonPointer", at + ".jsonPointer", 256, false);
        if ((property == null) == (pointer == null)) {
            throw invalid(at, "must name exactly one of userProperty (an MQTT 5 user property) and jsonPointer (a JSON pointer"
                    + " into the payload, such as /id)");
        }
        if (property != null && property.isEmpty()) {
            throw invalid(at + ".userProperty", "must not be empty");
        }
        if (pointer != null) {
            if (!pointer.startsWith("/")) {
                throw invalid(at + ".jsonPointer", "must start with / (RFC 6901), such as /id or /meta/messageId");
            }
            try {
                com.fasterxml.jackson.core.JsonPointer.compile(pointer);
            } catch (IllegalArgumentException e) {
                throw invalid(at + ".jsonPointer", "is not a JSON pointer: " + e.getMessage());
            }
        }
    }

    /**
     * A TLS client key: accepted exactly when {@link TlsContexts#privateKey} can load it (unencrypted
     * PKCS#8 RSA or EC, or PKCS#1 RSA): one reader decides for validation and for connections.
     */
    static void checkClientKey(String pem) {
        if (!(pem.contains("-----BEGIN") && pem.contains("PRIVATE KEY-----"))) {
            throw invalid("settings.tls.clientKeyPem", "must be a PEM private key");
        }
        try {
            TlsContexts.privateKey(pem);
        } catch (IllegalArgumentException e) {
            throw invalid("settings.tls.clientKeyPem", "cannot be used: " + e.getMessage());
        }
    }

    /**
     * An MQTT topic filter: + and # only as whole levels, # only last, not empty, not beginning with
     * $, and no character MQTT forbids ({@link MqttInput}).
     */
    public static void checkFilter(String filter, String path) {
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

    private static ApiException invalid(String field, String detail) {
        return new ApiException(400, "invalid_field", field + " " + detail, field);
    }

    /** The password and the client key masked (see {@link Tls#toString}). */
    @Override
    public String toString() {
        return "BrokerSettings[protocol=" + protocol + ", host=" + host + ", port=" + port + ", path=" + path + ", clientId=" + clientId
                + ", username=" + username + ", password=" + (password == null ? null : IntegrationSettings.MASK) + ", keepAliveSeconds="
                + keepAliveSeconds + ", sessionExpirySeconds=" + sessionExpirySeconds + ", qos=" + qos + ", topics=" + topics
                + ", sharedGroup=" + sharedGroup + ", tls=" + tls + ", parser=" + parser + ", parsers=" + parsers
                + ", deviceIdPattern=" + deviceIdPattern + ", messageIdentity=" + messageIdentity + "]";
    }
}
