package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.storage.tenants.SubscriptionStore;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a subscription's broker session was last subscribed to (the filters as subscribed, and the
 * QoS, of the last SUBSCRIBE the broker granted in full), so that a connect finding its session
 * present does not subscribe again: the session kept its subscriptions (MQTT 5, 4.1). Subscribing on
 * every connect cost more than a round trip: a stock ActiveMQ Artemis 2.40 catching 200 sessions up
 * failed the SUBSCRIBEs (AMQ850000, its session state not stored within 5 s) and disconnected those
 * clients with reason code 0x83, sending each one's unacknowledged messages again under new packet
 * ids; and each SUBSCRIBE brings a topic's retained message again.
 *
 * <p>Kept in the database (table {@code subscription_sessions}), so that it outlives a restart of
 * the service, when all sessions resume at once. A failed read answers "not held" (the client
 * subscribes, as it always did); a failed write is logged and changes nothing else.
 */
interface SessionFilters {

    /** Whether the session of {@code clientId} was last granted exactly these filters at this QoS. */
    boolean holds(String clientId, List<String> filters, int qos);

    /** The broker granted a SUBSCRIBE of these filters in full. */
    void subscribed(String clientId, List<String> filters, int qos);

    /** The session was ended by the service: what it held is forgotten. */
    void ended(String clientId);

    /** Remembers nothing: every connect subscribes. */
    SessionFilters NONE = new SessionFilters() {
        @Override
        public boolean holds(String clientId, List<String> filters, int qos) {
            return false;
        }

        @Override
        public void subscribed(String clientId, List<String> filters, int qos) {
            // nothing kept
        }

        @Override
        public void ended(String clientId) {
            // nothing kept
        }
    };

    /** The sessions of one integration's subscription, in the subscriptions' table. */
    static SessionFilters of(SubscriptionStore store, UUID integrationId) {
        Logger log = LoggerFactory.getLogger(SessionFilters.class);
        return new SessionFilters() {
            @Override
            public boolean holds(String clientId, List<String> filters, int qos) {
                try {
                    return store.sessionHolds(integrationId, clientId, filters, qos);
                } catch (RuntimeException e) {
                    log.warn("Could not read what the session of {} is subscribed to ({}); subscribing", clientId, e.getMessage());
                    return false;
                }
            }

            @Override
            public void subscribed(String clientId, List<String> filters, int qos) {
                try {
                    store.sessionSubscribed(integrationId, clientId, filters, qos);
                } catch (RuntimeException e) {
                    log.warn("Could not record the subscriptions of {} ({}); its next connect subscribes again", clientId,
                            e.getMessage());
                }
            }

            @Override
            public void ended(String clientId) {
                try {
                    store.sessionEnded(integrationId, clientId);
                } catch (RuntimeException e) {
                    log.warn("Could not forget the ended session of {} ({})", clientId, e.getMessage());
                }
            }
        };
    }
}
