package io.mqttintegration.runtime.api;

import io.mqttintegration.runtime.quotas.Quotas;
import io.mqttintegration.storage.tenants.Quota;

import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.security.DevicePasswords;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.Credential;
import io.mqttintegration.storage.tenants.CredentialStore;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.ExchangeProperty;

/**
 * {@code /api/v1/integrations/{id}/credentials}: usernames and strong passwords for the devices of an
 * integration. The password is shown once and stored as a keyed hash (see DevicePasswords); devices
 * connect to the hosted broker with them (io.mqttintegration.runtime.broker).
 */
public final class CredentialsApi {


    private final SecureRandom random = new SecureRandom();
    private final Tenancy tenancy;
    private final IntegrationStore integrations;
    private final CredentialStore store;
    private final ActivityLog activity;
    private final DevicePasswords passwords;
    private final Quotas quotas;

    public CredentialsApi(Tenancy tenancy, IntegrationStore integrations, CredentialStore store, ActivityLog activity,
            DevicePasswords passwords, Quotas quotas) {
        this.quotas = quotas;
        this.tenancy = tenancy;
        this.integrations = integrations;
        this.store = store;
        this.activity = activity;
        this.passwords = passwords;
    }

    public Map<String, Object> create(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID org = request.organization();
        UUID integration = request.id("id", "integration");
        byte[] secret = new byte[24];
        random.nextBytes(secret);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        UUID id = MessageIds.next();
        String username = "dev-" + id.toString().replace("-", "").substring(12, 28);
        String hash = passwords.hash(password);
        Credential created = tenancy.inOrg(org, c -> {
            integrations.get(c, org, integration).orElseThrow(() -> ApiException.notFound("integration"));
            quotas.reserve(c, org, Quota.CREDENTIALS, null);
            Credential cred = store.insert(c, id, org, integration, username, hash);
            activity.record(c, org, integration, request.actorKeyId(), request.principal().actor(),
                    "credential.created", "ok", IntegrationsApi.json(Map.of("username", username)));
            return cred;
        });
        Map<String, Object> view = view(created);
        view.put("password", password);
        return view;
    }

    public Map<String, Object> list(@ExchangeProperty(Request.PROPERTY) Request request) {
        IntegrationRecord integration = request.integration(integrations);
        return Map.of("items", store.list(integration.organizationId(), integration.id()).stream()
                .map(CredentialsApi::view).toList());
    }

    public void revoke(@ExchangeProperty(Request.PROPERTY) Request request) {
        UUID org = request.organization();
        UUID integration = request.id("id", "integration");
        UUID id = request.id("credentialId", "credential");
        tenancy.inOrg(org, c -> {
            if (!store.revoke(c, org, integration, id)) {
                throw ApiException.notFound("credential");
            }
            activity.record(c, org, integration, request.actorKeyId(), request.principal().actor(),
                    "credential.revoked", "ok", IntegrationsApi.json(Map.of("credentialId", id.toString())));
            return null;
        });
    }


    static Map<String, Object> view(Credential c) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", c.id().toString());
        v.put("username", c.username());
        v.put("createdAt", c.createdAt().toInstant().toString());
        if (c.revokedAt() != null) {
            v.put("revokedAt", c.revokedAt().toInstant().toString());
        }
        return v;
    }
}
