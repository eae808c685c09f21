package io.mqttintegration.storage.tenants;

import java.util.List;
import java.util.UUID;

/** What an integration should be subscribed to: its topic filters and the QoS asked for them. */
public record SubscriptionRecord(UUID integrationId, UUID organizationId, List<String> topics, int qos) {

    public SubscriptionRecord {
        topics = List.copyOf(topics);
    }
}
