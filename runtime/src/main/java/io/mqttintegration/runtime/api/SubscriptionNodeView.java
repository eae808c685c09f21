package io.mqttintegration.runtime.api;

import java.time.Instant;

/**
 * One node's view of a subscription ({@link SubscriptionView#nodes}): the answering node's as it is
 * now, the others' as their last reconciliation round ({@code mqtt.subscription.syncSeconds}) wrote
 * it at {@code updatedAt}. {@code stale}: that node stopped, or its heartbeat is older than
 * {@code presence.nodeTimeoutSeconds}; its row is then not its live state.
 */
public record SubscriptionNodeView(String node, String state, Instant connectedSince, String lastError, Instant lastErrorAt,
        long received, long stored, long failed, int reconnects, Instant updatedAt, boolean stale) {
}
