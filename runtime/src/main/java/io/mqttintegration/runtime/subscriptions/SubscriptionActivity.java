package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.parsers.Json;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.SubscriptionRecord;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The activity entries a subscription writes about itself (actor {@code service}): that it connected
 * and subscribed, or that it could not connect. Supervisors report; {@link Written} writes them.
 */
interface SubscriptionActivity {

    /** The subscription connected and subscribed its topics. */
    void connected(SubscriptionRecord subscription);

    /** The subscription could not connect (once per run of failures, not once per attempt). */
    void failing(SubscriptionRecord subscription, String reason);

    /**
     * Writes each entry to the activity log on the executor, off the reporting thread (a
     * supervisor's lock, Paho's callback thread); an entry that cannot be written is dropped with a
     * debug line.
     */
    final class Written implements SubscriptionActivity {

        private static final Logger LOG = LoggerFactory.getLogger(SubscriptionActivity.class);
        private static final String ACTOR = "service";

        private final ActivityLog log;
        private final Executor executor;

        Written(ActivityLog log, Executor executor) {
            this.log = log;
            this.executor = executor;
        }

        @Override
        public void connected(SubscriptionRecord s) {
            write(s, "subscription.connected", "ok", Map.of("topics", s.topics()));
        }

        @Override
        public void failing(SubscriptionRecord s, String reason) {
            write(s, "subscription.error", "error", Map.of("error", reason));
        }

        private void write(SubscriptionRecord s, String action, String outcome, Map<String, Object> detail) {
            executor.execute(() -> {
                try {
                    log.record(s.organizationId(), s.integrationId(), null, ACTOR, action, outcome,
                            Json.strict().writeValueAsString(detail));
                } catch (Exception e) {
                    LOG.debug("activity entry {} not written: {}", action, e.getMessage());
                }
            });
        }
    }
}
