package io.mqttintegration.storage.tenants;

import java.time.OffsetDateTime;

/**
 * A subscription that should run, with its version: the later of its row's and its integration's
 * last change, so a node sees that either changed elsewhere (topics, settings, credentials).
 */
public record ActiveSubscription(SubscriptionRecord subscription, OffsetDateTime version) {
}
