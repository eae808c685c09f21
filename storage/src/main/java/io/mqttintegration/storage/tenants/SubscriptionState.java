package io.mqttintegration.storage.tenants;

import java.time.Instant;
import java.util.UUID;

/**
 * One subscription as the node that runs it sees it, written to {@code subscription_nodes}.
 *
 * @param state connecting, connected, reconnecting, stopped or error
 * @param connectedSince null unless connected
 * @param received messages received (like stored and failed: in this node's process, since the subscription last started there)
 * @param reconnects connections ended since it started here
 */
public record SubscriptionState(UUID integrationId, String state, Instant connectedSince, String lastError, Instant lastErrorAt,
        long received, long stored, long failed, int reconnects) {
}
