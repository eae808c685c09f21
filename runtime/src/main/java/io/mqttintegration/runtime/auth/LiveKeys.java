package io.mqttintegration.runtime.auth;

import io.mqttintegration.runtime.cache.ExpiringCache;
import io.mqttintegration.storage.tenants.ApiKeyStore;
import io.mqttintegration.storage.tenants.StoredKey;
import java.util.Optional;
import java.util.UUID;

/**
 * The live API key of a prefix, as authentication reads it on every request: kept for at most the
 * cache's time to live (security.keyCacheMillis, at most 1 s), so a key revoked or deleted through
 * another node is refused within that time; this node forgets a key at once when it revokes it or
 * deletes or changes its integration. Unknown prefixes are not kept: a new key works at once.
 * Only the stored row is kept; the key itself is checked against its hash on every request.
 */
public final class LiveKeys {

    private final ApiKeyStore store;
    private final ExpiringCache<String, StoredKey> cache;

    public LiveKeys(ApiKeyStore store, ExpiringCache<String, StoredKey> cache) {
        this.store = store;
        this.cache = cache;
    }

    public Optional<StoredKey> find(String prefix) {
        return cache.get(prefix, store::findLive);
    }

    /** Whether {@link #find} answers the prefix without reading the database. */
    public boolean holds(String prefix) {
        return cache.holds(prefix);
    }

    /** A key this node revoked. */
    public void revoked(UUID keyId) {
        cache.invalidateIf(k -> k.id().equals(keyId));
    }

    /** An integration this node changed or deleted (deleting it deletes the keys bound to it). */
    public void integrationChanged(UUID organizationId, UUID integrationId) {
        cache.invalidateIf(k -> integrationId.equals(k.integrationId()));
    }
}
