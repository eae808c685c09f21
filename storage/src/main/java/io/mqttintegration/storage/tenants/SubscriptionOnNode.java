package io.mqttintegration.storage.tenants;

import java.time.OffsetDateTime;

/**
 * One node's row of a subscription, as the API shows it.
 *
 * @param updatedAt when the node last wrote it (each reconciliation round)
 * @param stale whether the node is gone: stopped, or its heartbeat older than the node timeout (or,
 *        for a node that beats none, the row itself)
 */
public record SubscriptionOnNode(String node, SubscriptionState state, OffsetDateTime updatedAt, boolean stale) {
}
