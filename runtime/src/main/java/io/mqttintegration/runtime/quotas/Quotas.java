package io.mqttintegration.runtime.quotas;

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

    /** How long a node keeps an organization's publish rate before reading it again (the operator's change on another node). */
    private static final long RATE_CACHE_NANOS = 5_000_000_000L;

    private final QuotaStore store;
    private final Map<Quota, Integer> defaults;
    private final RateLimiter<UUID> publishes;
    private final Map<UUID, long[]> publishRates = new ConcurrentHashMap<>();

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
        long now = System.nanoTime();
        long[] cached = publishRates.get(organizationId);
        if (cached != null && now - cached[1] < RATE_CACHE_NANOS) {
            return (int) cached[0];
        }
        int rate = store.overrides(organizationId).map(o -> o.get(Quota.PUBLISH_PER_SECOND))
                .orElse(defaults.get(Quota.PUBLISH_PER_SECOND));
        publishRates.put(organizationId, new long[] {rate, now});
        return rate;
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
        publishRates.remove(organizationId);
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
