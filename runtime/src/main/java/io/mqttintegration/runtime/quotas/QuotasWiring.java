package io.mqttintegration.runtime.quotas;

import io.mqttintegration.runtime.config.QuotasConfig;
import io.mqttintegration.runtime.mqtt.RateLimiter;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.Quota;
import io.mqttintegration.storage.tenants.QuotaStore;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/** The quotas' wiring: each organization's limits, with the defaults of the PID mqtt.integration.quotas. */
public final class QuotasWiring {

    private QuotasWiring() {
    }

    public static Quotas wire(QuotasConfig q, Tenancy tenancy) {
        Map<Quota, Integer> defaults = new EnumMap<>(Quota.class);
        defaults.put(Quota.INTEGRATIONS, q.integrations());
        defaults.put(Quota.SUBSCRIPTIONS, q.subscriptions());
        defaults.put(Quota.CREDENTIALS, q.credentials());
        defaults.put(Quota.PUBLISH_PER_SECOND, q.publishPerSecond());
        defaults.put(Quota.CONNECTED_DEVICES, q.connectedDevices());
        defaults.put(Quota.DEVICE_MESSAGES_PER_SECOND, q.deviceMessagesPerSecond());
        return new Quotas(new QuotaStore(tenancy), defaults, new RateLimiter<>(0, Duration.ofSeconds(1)));
    }
}
