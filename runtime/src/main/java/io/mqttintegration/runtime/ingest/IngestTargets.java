package io.mqttintegration.runtime.ingest;

import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.runtime.cache.ExpiringCache;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.camel.Exchange;

/**
 * Decides whose each ingested message is: the integration named in the message, else the one the
 * key is bound to. A key bound to an integration ingests into that one only (naming another is 403,
 * so a leaked gateway key cannot write elsewhere); an organization-wide key names an integration of
 * its organization (another organization's answers 404 like a missing one); a message with neither
 * is refused with 400.
 *
 * <p>Which organization an integration belongs to is kept for at most the cache's time to live
 * (security.keyCacheMillis, at most 1 s): an integration deleted through another node is refused
 * within that time, at once on the node that deleted it ({@link #integrationChanged}).
 */
public final class IngestTargets {

    private final IntegrationStore integrations;
    /** Integration id to its organization's id, for integrations that exist. */
    private final ExpiringCache<UUID, UUID> owners;

    public IngestTargets(IntegrationStore integrations, ExpiringCache<UUID, UUID> owners) {
        this.integrations = integrations;
        this.owners = owners;
    }

    /** An integration this node changed or deleted. */
    public void integrationChanged(UUID organizationId, UUID integrationId) {
        owners.invalidate(integrationId);
    }

    /** Whether the organization has the integration; an integration of another one is not kept under its id. */
    private boolean exists(UUID org, UUID integration) {
        return owners.get(integration, id -> integrations.get(org, id).map(IntegrationRecord::organizationId))
                .filter(org::equals).isPresent();
    }

    /**
     * Whether {@link #assign} decides without reading the database (every integration named is the
     * key's own or kept), and the parser choice of each is kept ({@code parserKept}).
     */
    public boolean assignNeedsNoLookup(Exchange exchange, Predicate<UUID> parserKept) {
        Principal principal = exchange.getProperty(Principal.PROPERTY, Principal.class);
        @SuppressWarnings("unchecked")
        List<IngestItem> items = exchange.getMessage().getBody(List.class);
        if (principal == null || items == null) {
            return true;
        }
        for (IngestItem item : items) {
            UUID integration = item.integrationId() != null ? item.integrationId() : principal.integrationId();
            if (integration == null) {
                continue;
            }
            boolean ownerKept = integration.equals(principal.integrationId()) || owners.holds(integration);
            if (!ownerKept || !parserKept.test(integration)) {
                return false;
            }
        }
        return true;
    }

    public List<InboundMessage> assign(Exchange exchange) {
        Principal principal = exchange.getProperty(Principal.PROPERTY, Principal.class);
        @SuppressWarnings("unchecked")
        List<IngestItem> items = exchange.getMessage().getBody(List.class);
        Map<UUID, Boolean> known = new HashMap<>();
        List<InboundMessage> messages = new ArrayList<>(items.size());
        for (IngestItem item : items) {
            UUID integration = item.integrationId() != null ? item.integrationId() : principal.integrationId();
            if (integration == null) {
                throw new ApiException(400, "missing_field",
                        "integrationId is required: this key is not bound to an integration", item.path() + "integrationId");
            }
            UUID org = principal.organizationId();
            if (principal.operator()) {
                throw new ApiException(403, "forbidden", "ingest with an organization's key (scope ingest), not the operator key");
            }
            if (principal.integrationId() != null && !integration.equals(principal.integrationId())) {
                throw new ApiException(403, "forbidden", "this key is bound to integration " + principal.integrationId()
                        + " and ingests into it only; use an organization-wide ingest key to name other integrations",
                        item.path() + "integrationId");
            }
            // A live key's bound integration exists and is its organization's (deleting the
            // integration deletes its keys): only another integration needs a lookup.
            if (!integration.equals(principal.integrationId())
                    && !known.computeIfAbsent(integration, id -> exists(org, id))) {
                throw new ApiException(404, "not_found", "no such integration", item.path() + "integrationId");
            }
            messages.add(new InboundMessage(InboundMessage.Source.HTTP, item.topic(), item.payload(), item.contentType(),
                    item.receivedAt(), org, integration, item.messageId()));
        }
        return messages;
    }
}
