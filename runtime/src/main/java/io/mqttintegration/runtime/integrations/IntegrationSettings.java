package io.mqttintegration.runtime.integrations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqttintegration.runtime.http.Fields;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The API's side of an integration's {@link BrokerSettings}: a patch applied over the current
 * settings (the secrets kept unless given), and the settings as shown, defaults filled in and
 * secrets masked.
 */
public final class IntegrationSettings {

    public static final String MASK = "********";

    private final Supplier<Set<String>> parserNames;

    /** @param parserNames the parsers known now (built-in and declared in parser files) */
    public IntegrationSettings(Supplier<Set<String>> parserNames) {
        this.parserNames = parserNames;
    }

    /**
     * Applies a patch (for a new integration: the whole settings) over the current values. A field
     * set to null goes back to its default; a secret not mentioned is kept, null removes it; {@code tls}
     * is replaced as a whole, apart from its key.
     */
    public BrokerSettings apply(BrokerSettings current, JsonNode patch) {
        Fields.object(patch, "settings");
        Fields.onlyKnown(patch, BrokerSettings.FIELDS, "settings.");
        ObjectNode merged = current.storedTree();
        String password = current.password();
        String clientKey = current.tls() == null ? null : current.tls().clientKeyPem();
        patch.fields().forEachRemaining(e -> {
            if (e.getValue().isNull()) {
                merged.remove(e.getKey());
            } else {
                merged.set(e.getKey(), e.getValue());
            }
        });
        if (patch.has("password")) {
            merged.remove("password");
            password = Fields.text(patch, "password", "settings.password", 1024, false);
        }
        if (patch.has("tls")) {
            JsonNode tls = patch.get("tls");
            if (tls.isNull()) {
                clientKey = null;
            } else {
                Fields.object(tls, "settings.tls");
                Fields.onlyKnown(tls, BrokerSettings.TLS_FIELDS, "settings.tls.");
                if (tls.has("clientKeyPem")) {
                    clientKey = Fields.text(tls, "clientKeyPem", "settings.tls.clientKeyPem", BrokerSettings.MAX_PEM, false);
                    if (clientKey != null) {
                        BrokerSettings.checkClientKey(clientKey);
                    }
                }
                ObjectNode clearTls = tls.deepCopy();
                clearTls.remove("clientKeyPem");
                merged.set("tls", clearTls);
            }
        }
        return BrokerSettings.of(merged, password, clientKey, parserNames.get());
    }

    /** The settings as shown: defaults filled in, secrets masked. */
    public static Map<String, Object> view(BrokerSettings s, UUID integrationId) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("protocol", s.protocolOrDefault());
        v.put("host", s.host());
        v.put("port", s.portOrDefault());
        if (s.websocket()) {
            v.put("path", s.pathOrDefault());
        }
        v.put("clientId", s.clientIdOrDefault(integrationId));
        if (s.username() != null) {
            v.put("username", s.username());
        }
        if (s.password() != null) {
            v.put("password", MASK);
        }
        v.put("keepAliveSeconds", s.keepAliveSecondsOrDefault());
        v.put("sessionExpirySeconds", s.sessionExpirySecondsOrDefault());
        v.put("qos", s.qosOrDefault());
        v.put("topics", s.topicsOrDefault());
        if (s.sharedGroup() != null) {
            v.put("sharedGroup", s.sharedGroup());
        }
        if (s.tls() != null) {
            Map<String, Object> tls = new LinkedHashMap<>();
            if (s.tls().caCertPem() != null) {
                tls.put("caCertPem", s.tls().caCertPem());
            }
            if (s.tls().clientCertPem() != null) {
                tls.put("clientCertPem", s.tls().clientCertPem());
            }
            if (s.tls().clientKeyPem() != null) {
                tls.put("clientKeyPem", MASK);
            }
            tls.put("verifyHostname", s.tls().verifyHostnameOrDefault());
            v.put("tls", tls);
        }
        v.put("parser", s.parserOrDefault());
        if (s.parsers() != null) {
            v.put("parsers", s.parsers());
        }
        if (s.deviceIdPattern() != null) {
            v.put("deviceIdPattern", s.deviceIdPattern());
        }
        if (s.messageIdentity() != null) {
            v.put("messageIdentity", s.messageIdentity());
        }
        v.put("inactivityTimeoutSeconds", s.inactivityTimeoutSecondsOrDefault());
        return v;
    }
}
