package io.mqttintegration.storage.tenants;

import java.time.OffsetDateTime;

/**
 * A subscription that should run, as a node reconciling its routes sees it.
 *
 * @param version the later of its row's and its integration's last change, so a node sees that
 *        either changed elsewhere (topics, settings, credentials)
 * @param ownerNode the node that runs it when it has no shared group; null while unclaimed
 * @param sharedGroup the integration's MQTT 5 shared subscription group, or null
 */
public record ActiveSubscription(SubscriptionRecord subscription, OffsetDateTime version, String ownerNode, String sharedGroup) {
}
