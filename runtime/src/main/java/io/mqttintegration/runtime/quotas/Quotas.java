package io.mqttintegration.runtime.quotas;

import io.mqttintegration.spi.broker.DeviceLimits;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import io.mqttintegration.storage.tenants.Quota;
import io.mqttintegration.storage.tenants.QuotaStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-organization quotas: the node's defaults (PID {@code mqtt.integration.quotas}) unless the
 * operator set an override for the organization. Counted quotas are checked inside the transaction
 * that inserts, with the organization's row locked ({@link #reserve}), so two concurrent creates
 * cannot both take the last slot: 409 {@code quota_exceeded}. The publish rate is a sliding window
 * per integration on this node ({@link #acquirePublish}): 429 with Retry-After.
 */
public final class Quotas {

    /** How long a node keeps an organization's rates and broker limits before reading them again (the operator's change on another node). */
    private static final long RATE_CACHE_NANOS = 5_000_000_000L;

    private final QuotaStore store;
    private final Map<Quota, Integer> defaults;
    private final RateLimiter<UUID> publishes;
    /** Each organization's overrides as read at a time (System.nanoTime()), for the rates and the hosted broker's limits. */
    private final Map<UUID, Cached> cachedOverrides = new ConcurrentHashMap<>();

    private record Cached(Map<Quota, Integer> overrides, long readAt) {
    }

    /** An organization's limits on the hosted broker: devices connected at once, messages per second per device. */
    public record DeviceLimits(int connectedDevices, int messagesPerSecond) {
    }

    public Quotas(QuotaStore store, Map<Quota, Integer> defaults, RateLimiter<UUID> publishes) {
        this.store = store;
        this.defaults = new EnumMap<>(defaults);
        for (Quota q : Quota.values()) {
            if (!this.defaults.containsKey(q)) {
                throw new IllegalArgumentException("no default for the quota " + q.key());
            }
        }
        this.publishes = publishes;
    }

    /**
     * In the inserting transaction (scoped to the organization): locks the organization's row, counts,
     * and refuses with 409 when the quota is used up; 404 when there is no such organization.
     *
     * @param exceptIntegration for {@link Quota#SUBSCRIPTIONS}: the integration subscribing (its own
     *        subscription, if it has one already, takes no new slot); else null
     */
    public void reserve(Connection c, UUID organizationId, Quota quota, UUID exceptIntegration) throws SQLException {
        Map<Quota, Integer> overrides = store.lock(c, organizationId).orElseThrow(() -> ApiException.notFound("organization"));
        int limit = overrides.getOrDefault(quota, defaults.get(quota));
        long used = store.usage(c, organizationId, exceptIntegration).get(quota);
        if (used >= limit) {
            throw new ApiException(409, "quota_exceeded", "quota " + quota.key() + " reached: the organization has "
                    + used + " of at most " + limit + "; the operator can raise it").with("quota", quota.key()).with("limit", limit)
                    .with("used", used);
        }
    }

    /** One publish of the integration; 429 with Retry-After beyond its organization's rate. */
    public void acquirePublish(UUID organizationId, UUID integrationId) {
        int limit = publishRate(organizationId);
        long wait = publishes.acquire(integrationId, limit);
        if (wait > 0) {
            throw new ApiException(429, "quota_exceeded", "quota publishPerSecond reached: at most " + limit
                    + " messages per second may be published through one integration of this organization; retry in "
                    + wait + " s")
                    .with("quota", Quota.PUBLISH_PER_SECOND.key()).with("limit", limit).retryAfter(wait);
        }
    }

    private int publishRate(UUID organizationId) {
        return limit(organizationId, Quota.PUBLISH_PER_SECOND);
    }

    /**
     * The hosted broker's limits of an organization (its overrides read at most every 5 s on this node;
     * a change through this node applies at once); the defaults for an organization that is gone.
     */
    public DeviceLimits deviceLimits(UUID organizationId) {
        return new DeviceLimits(limit(organizationId, Quota.CONNECTED_DEVICES), limit(organizationId, Quota.DEVICE_MESSAGES_PER_SECOND));
    }

    private int limit(UUID organizationId, Quota quota) {
        long now = System.nanoTime();
        Cached cached = cachedOverrides.get(organizationId);
        if (cached == null || now - cached.readAt() >= RATE_CACHE_NANOS) {
            cached = new Cached(store.overrides(organizationId).orElse(Map.of()), now);
            cachedOverrides.put(organizationId, cached);
        }
        return cached.overrides().getOrDefault(quota, defaults.get(quota));
    }

    /** The effective quotas, the overrides, the defaults and the usage of an organization (404 if none). */
    public Map<String, Object> view(UUID organizationId) {
        Map<Quota, Integer> overrides = store.overrides(organizationId).orElseThrow(() -> ApiException.notFound("organization"));
        return view(organizationId, overrides, store.usage(organizationId));
    }

    /** The operator sets (number) or clears (null) overrides; the others stay. */
    public Map<String, Object> update(UUID organizationId, Map<Quota, Integer> changes) {
        Map<Quota, Integer> overrides = store.update(organizationId, changes)
                .orElseThrow(() -> ApiException.notFound("organization"));
        cachedOverrides.remove(organizationId);
        return view(organizationId, overrides, store.usage(organizationId));
    }

    private Map<String, Object> view(UUID organizationId, Map<Quota, Integer> overrides, Map<Quota, Long> usage) {
        Map<String, Object> quotas = new LinkedHashMap<>();
        for (Quota q : Quota.values()) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("limit", overrides.getOrDefault(q, defaults.get(q)));
            if (q.counted()) {
                v.put("used", usage.get(q));
            }
            v.put("default", defaults.get(q));
            v.put("override", overrides.get(q));
            quotas.put(q.key(), v);
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("organizationId", organizationId.toString());
        view.put("quotas", quotas);
        return view;
    }
}
