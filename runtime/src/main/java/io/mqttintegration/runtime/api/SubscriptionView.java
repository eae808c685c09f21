package io.mqttintegration.runtime.api;

import java.time.Instant;
import java.util.List;

/**
 * An integration's subscription ({@link IntegrationView}). Its own fields are the answering node's
 * view (as before there were several nodes: state stopped when it does not run there); {@code nodes}
 * holds every node that runs it, by node. state is connecting, connected, reconnecting, stopped or
 * error; the counters count in the node's process since the subscription last started there.
 */
public record SubscriptionView(String state, List<String> topics, int qos, Instant connectedSince, String lastError,
        Instant lastErrorAt, long received, long stored, long failed, int reconnects, List<SubscriptionNodeView> nodes) {
}
