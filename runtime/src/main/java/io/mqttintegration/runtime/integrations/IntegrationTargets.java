package io.mqttintegration.runtime.integrations;

import io.mqttintegration.runtime.mqtt.BrokerClients;
import io.mqttintegration.security.SecretBox;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import java.util.Map;

/**
 * What a connection to an integration's broker needs: its {@link BrokerSettings} (stored JSON and
 * opened secrets, read once) for one connection's purpose (the client id gets a suffix per purpose,
 * so publishing, testing and subscribing never knock each other off).
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

    /** The integration's settings with its secrets opened. */
    public BrokerSettings settings(IntegrationRecord r) {
        return BrokerSettings.fromStored(r.settingsJson(), secrets.open(r.sealedSecrets(), r.organizationId()));
    }

    /**
     * @param clientIdSuffix a purpose ("-pub", "-test"), appended to the integration's client id with
     *                       this node's id; "" for its subscription (the client id as configured)
     */
    public BrokerClients.Target target(IntegrationRecord r, String clientIdSuffix) {
        BrokerSettings s = settings(r);
        return target(s, s.clientIdOrDefault(r.id()) + (clientIdSuffix.isEmpty() ? "" : clientIdSuffix + "-" + nodeId));
    }

    private static BrokerClients.Target target(BrokerSettings s, String clientId) {
        BrokerSettings.Tls tls = s.tlsOrDefault();
        BrokerClients.Tls connectionTls = new BrokerClients.Tls(tls.caCertPem(), tls.clientCertPem(), tls.clientKeyPem(),
                tls.verifyHostnameOrDefault());
        return new BrokerClients.Target(s.protocolOrDefault(), s.host(), s.portOrDefault(), s.pathOrDefault(), clientId,
                s.username(), s.password(), s.keepAliveSecondsOrDefault(), connectionTls);
    }

    /** The target of this node's subscription client ({@link BrokerSettings#subscriptionClientId}). */
    /** This node's id (mqtt.nodeId, or the one generated and kept). */
    public String nodeId() {
        return nodeId;
    }

    public BrokerClients.Target subscriptionTarget(BrokerSettings s, IntegrationRecord r, String nodeId) {
        return target(s, s.subscriptionClientId(r.id(), nodeId));
    }

    /** The integration's settings without its secrets (no unsealing): for what needs no password or key. */
    public static BrokerSettings clearSettings(IntegrationRecord r) {
        return BrokerSettings.fromStored(r.settingsJson(), Map.of());
    }
}
