package io.mqttintegration.runtime.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mqttintegration.runtime.mqtt.BrokerClients;
import io.mqttintegration.security.SecretBox;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import java.util.Map;
import java.util.Set;

/**
 * What a connection to an integration's broker needs: its settings with defaults filled in and its
 * secrets (password, TLS client key) opened, for one connection's purpose (the client id gets a
 * suffix per purpose, so publishing, testing and subscribing never knock each other off).
 */
public final class IntegrationTargets {

    private final SealedSecrets secrets;
    private final String nodeId;

    /**
     * @param nodeId this node's id: the publishing and testing clients' ids end with it, so nodes
     *               behind one load balancer never share (and knock each other off with) one id
     */
    public IntegrationTargets(SecretBox box, String nodeId) {
        this.secrets = new SealedSecrets(box);
        this.nodeId = nodeId;
    }

    /**
     * @param clientIdSuffix a purpose ("-pub", "-test"), appended to the integration's client id with
     *                       this node's id; "" for its subscription (the client id as configured)
     */
    public BrokerClients.Target target(IntegrationRecord r, String clientIdSuffix) {
        if (!clientIdSuffix.isEmpty()) {
            clientIdSuffix = clientIdSuffix + "-" + nodeId;
        }
        ObjectNode stored = (ObjectNode) IntegrationsApi.parse(r.settingsJson());
        Map<String, Object> view = IntegrationSettings.view(stored, Set.of(), r.id());
        Map<String, String> secret = secrets.open(r.sealedSecrets(), r.organizationId());
        JsonNode tls = stored.path("tls");
        BrokerClients.Tls tlsSettings = new BrokerClients.Tls(tls.path("caCertPem").asText(null),
                tls.path("clientCertPem").asText(null), secret.get("clientKeyPem"), tls.path("verifyHostname").asBoolean(true));
        return new BrokerClients.Target((String) view.get("protocol"), (String) view.get("host"), (Integer) view.get("port"),
                (String) view.getOrDefault("path", "/mqtt"), view.get("clientId") + clientIdSuffix, (String) view.get("username"),
                secret.get("password"), (Integer) view.get("keepAliveSeconds"), tlsSettings);
    }

    /**
     * The target of this node's subscription client: with a {@code sharedGroup} the client id is
     * node-specific ({@link IntegrationSettings#nodeClientId}), so each node holds a session of its own
     * in the group; without, it is the integration's client id.
     */
    public BrokerClients.Target subscriptionTarget(IntegrationRecord r, String nodeId) {
        BrokerClients.Target t = target(r, "");
        if (sharedGroup(r) == null) {
            return t;
        }
        return new BrokerClients.Target(t.protocol(), t.host(), t.port(), t.path(),
                IntegrationSettings.nodeClientId(t.clientId(), r.id(), nodeId), t.username(), t.password(), t.keepAliveSeconds(),
                t.tls());
    }

    /** The integration's MQTT 5 shared subscription group, or null. */
    public static String sharedGroup(IntegrationRecord r) {
        JsonNode group = IntegrationsApi.parse(r.settingsJson()).get("sharedGroup");
        return group == null || group.isNull() ? null : group.asText();
    }

    /** The session expiry the integration asks for, in seconds (default one day). */
    public static long sessionExpirySeconds(IntegrationRecord r) {
        return ((Number) IntegrationSettings.view((ObjectNode) IntegrationsApi.parse(r.settingsJson()), Set.of(), r.id())
                .get("sessionExpirySeconds")).longValue();
    }
}
