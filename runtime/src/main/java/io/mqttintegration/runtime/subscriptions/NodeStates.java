package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.storage.tenants.SubscriptionNodes;
import io.mqttintegration.storage.tenants.SubscriptionOnNode;
import io.mqttintegration.storage.tenants.SubscriptionState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The subscriptions' states on every node ({@code subscription_nodes}): this node writes its own
 * each reconciliation round, and the API's {@code subscription.nodes} shows them all, by node.
 */
final class NodeStates {

    private final SubscriptionNodes store;
    private final String nodeId;
    private final int nodeTimeoutSeconds;

    /** @param nodeTimeoutSeconds another node is stale when its heartbeat is older ({@code presence.nodeTimeoutSeconds}) */
    NodeStates(SubscriptionNodes store, String nodeId, int nodeTimeoutSeconds) {
        this.store = store;
        this.nodeId = nodeId;
        this.nodeTimeoutSeconds = nodeTimeoutSeconds;
    }

    /** Writes what runs on this node now (one statement); its rows of anything else go. */
    void report(Map<UUID, SubscriptionStatus> running) {
        List<SubscriptionState> states = new ArrayList<>();
        running.forEach((id, status) -> states.add(status.snapshot(id)));
        store.report(nodeId, states);
    }

    /**
     * Every node's view of the subscription, by node: the other nodes' as of their last round, this
     * node's as it is now (its row is as old as its last round, or not yet written after a subscribe).
     *
     * @param here the subscription's status on this node, or null when it does not run here
     */
    List<Map<String, Object>> views(UUID organizationId, UUID integrationId, SubscriptionStatus here) {
        Map<String, Map<String, Object>> byNode = new TreeMap<>();
        for (SubscriptionOnNode row : store.list(organizationId, integrationId, nodeTimeoutSeconds)) {
            byNode.put(row.node(), view(row.node(), row.state(), row.updatedAt().toInstant(), row.stale()));
        }
        byNode.remove(nodeId);
        if (here != null) {
            byNode.put(nodeId, view(nodeId, here.snapshot(integrationId), Instant.now(), false));
        }
        return List.copyOf(byNode.values());
    }

    private static Map<String, Object> view(String node, SubscriptionState s, Instant updatedAt, boolean stale) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("node", node);
        v.put("state", s.state());
        v.put("connectedSince", s.connectedSince() == null ? null : s.connectedSince().toString());
        v.put("lastError", s.lastError());
        v.put("lastErrorAt", s.lastErrorAt() == null ? null : s.lastErrorAt().toString());
        v.put("received", s.received());
        v.put("stored", s.stored());
        v.put("failed", s.failed());
        v.put("reconnects", s.reconnects());
        v.put("updatedAt", updatedAt.toString());
        v.put("stale", stale);
        return v;
    }
}
