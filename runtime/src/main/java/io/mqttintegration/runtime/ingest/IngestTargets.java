package io.mqttintegration.runtime.ingest;

import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;

/**
 * Decides whose each ingested message is: the integration named in the message, else the one the
 * key is bound to. A key bound to an integration ingests into that one only (naming another is 403,
 * so a leaked gateway key cannot write elsewhere); an organization-wide key names an integration of
 * its organization (another organization's answers 404 like a missing one); a message with neither
 * is refused with 400.
 */
public final class IngestTargets {

    private final IntegrationStore integrations;

    public IngestTargets(IntegrationStore integrations) {
        this.integrations = integrations;
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
                    && !known.computeIfAbsent(integration, id -> integrations.get(org, id).isPresent())) {
                throw new ApiException(404, "not_found", "no such integration", item.path() + "integrationId");
            }
            messages.add(new InboundMessage(InboundMessage.Source.HTTP, item.topic(), item.payload(), item.contentType(),
                    item.receivedAt(), org, integration, item.messageId()));
        }
        return messages;
    }
}
