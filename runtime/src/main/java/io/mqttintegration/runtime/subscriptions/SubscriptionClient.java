package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.runtime.internals.ReceivedDupFlags;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT 5 client of one integration's subscription, handed to the route's paho-mqtt5 consumer
 * (endpoint option {@code client}). The consumer installs its callback and asks for its one topic,
 * which names the subscription; this client subscribes the integration's topic filters instead,
 * all in one SUBSCRIBE, on each connect that does not find them in its session already
 * ({@link SessionFilters}), and keeps the subscription's status. With a shared
 * group each filter is subscribed as {@code $share/<group>/<filter>} (MQTT 5 shared subscription):
 * the broker gives each message to one session of the group; messages still arrive with their real
 * topic.
 *
 * <p>Flow control: the messages it hands to the route are bounded by its {@link InflightWindow}
 * (the route's Receive Maximum), enforced here rather than trusted to the broker: while the window
 * is full, Paho's callback thread waits in {@code messageArrived}, Paho stops reading the socket,
 * and TCP holds the rest at the broker. The window also keeps a message that the broker sends again
 * on a new connection from being stored twice, and sends each PUBACK only on the connection its
 * message came on ({@link #messageArrivedComplete}).
 *
 * <p>Threads: the client runs on the subscriptions' shared {@link ClientThreads} (its connection's
 * three loops and its keep-alive pings on the shared scheduler), through its own {@link ClientLoops};
 * nothing else of its own. It does not reconnect by itself: its supervisor does, so that every
 * attempt has a deadline.
 */
final class SubscriptionClient extends MqttClient {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionClient.class);
    private static final int CLOSE_SECONDS = 15;

    private final String name;
    private final List<String> filters;
    private final String sharedGroup;
    private final SubscriptionStatus status;
    private final Executor executor;
    private final Runnable onConnected;
    private final Runnable onLost;
    private final ClientLoops loops;
    private final SessionFilters sessions;
    private final ReceivedDupFlags dupFlags;
    private volatile InflightWindow window = new InflightWindow(1000);
    private volatile MessageIdentity identity = MessageIdentity.NONE;
    private volatile int qos = 1;
    private volatile boolean draining;
    private volatile List<String> unsubscribe = List.of();

    /**
     * @param name the topic the route's endpoint names (a name, not a filter)
     * @param sharedGroup the MQTT 5 shared subscription group, or null for a plain subscription
     * @param executor runs subscribing off Paho's callback thread
     * @param onConnected told after each successful (re)subscription
     * @param onLost told when the connection is lost (Paho does not reconnect by itself here)
     * @param threads the threads every subscription's client shares
     * @param sessions what the broker's session was last subscribed to
     */
    SubscriptionClient(String serverUri, String clientId, String name, List<String> filters, String sharedGroup,
            SubscriptionStatus status, Executor executor, Runnable onConnected, Runnable onLost, ClientLoops threads,
            SessionFilters sessions) throws MqttException {
        super(serverUri, clientId, new MemoryPersistence(), threads);
        this.loops = threads;
        this.name = name;
        this.filters = List.copyOf(filters);
        this.sharedGroup = sharedGroup;
        this.status = status;
        this.executor = executor;
        this.onConnected = onConnected;
        this.onLost = onLost;
        this.sessions = sessions;
        this.dupFlags = ReceivedDupFlags.install(aClient); // Paho 1.2.5 does not hand the DUP flag on
    }

    /** Wraps the consumer's callback to follow the connection; its own resubscribe is replaced by ours. */
    @Override
    public void setCallback(MqttCallback consumer) {
        super.setCallback(new MqttCallback() {
            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
                window.connected(); // before any message of this connection: they come after the CONNACK
            }

            @Override
            public void disconnected(MqttDisconnectResponse response) {
                window.disconnected();
                String reason = response.getException() != null ? response.getException().getMessage()
                        : "the broker disconnected the client (reason code " + response.getReturnCode() + ")";
                status.reconnecting("connection lost: " + reason);
                LOG.warn("Subscription client {} lost its connection ({}); reconnecting", getClientId(), reason);
                consumer.disconnected(response);
                if (!draining) {
                    onLost.run();
                }
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                status.error(exception.getMessage());
                consumer.mqttErrorOccurred(exception);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) throws Exception {
                if (draining) {
                    return; // not taken, not acknowledged: the broker delivers it again on the next connection
                }
                if (message.getQos() == 0) {
                    consumer.messageArrived(topic, message); // nothing to acknowledge, nothing sent again
                    return;
                }
                InflightWindow.Admission admission;
                try {
                    // Sent again (DUP): MqttMessage.isDuplicate() is always false here with Paho 1.2.5.
                    boolean duplicate = dupFlags.take(message.getId()) || message.isDuplicate();
                    admission = window.admit(message.getId(), topic, message.getPayload(), duplicate);
                } catch (InterruptedException e) {
                    // Paho stops this loop (the connection went): not taken, so the broker sends it again.
                    Thread.currentThread().interrupt();
                    return;
                }
                if (admission == InflightWindow.Admission.DELIVER && draining) {
                    window.notStored(message.getId()); // the route stops while this one waited for a slot
                    return;
                }
                switch (admission) {
                    case DELIVER -> consumer.messageArrived(topic, message);
                    case ACKNOWLEDGE -> acknowledge(message.getId(), message.getQos());
                    case FOLLOWS -> {
                        // acknowledged when its first copy is committed
                    }
                }
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
                consumer.deliveryComplete(token);
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
                consumer.authPacketArrived(reasonCode, properties);
            }
        });
    }

    /** Bounds the messages in flight (the route's Receive Maximum); before the first connect. */
    void limitInflight(int size) {
        this.window = new InflightWindow(size);
    }

    /** Where the integration's messages carry their own id (integration setting messageIdentity). */
    void identify(MessageIdentity messageIdentity) {
        this.identity = messageIdentity;
    }

    MessageIdentity identity() {
        return identity;
    }

    /** The subscription's window: its messages in flight and those awaiting the broker's resend. */
    InflightWindow window() {
        return window;
    }

    /** Whether the last connection's callback loop has ended, so that a connect can start its own. */
    boolean callbackEnded() {
        return loops.callbackEnded();
    }

    /**
     * The route's consumer acknowledges a committed message (manual acks, on the exchange's
     * completion): the PUBACK goes out only when the message came on the connection that is up now.
     * Otherwise the broker sends it again on this connection, and it is acknowledged then, not
     * stored again ({@link InflightWindow}).
     */
    @Override
    public void messageArrivedComplete(int messageId, int qos) {
        if (qos > 0 && window.stored(messageId)) {
            acknowledge(messageId, qos);
        }
    }

    /** The route did not store the message: the broker's next copy of it is a new message. */
    void notStored(int messageId) {
        window.notStored(messageId);
    }

    /**
     * Sends the PUBACK, only while connected. Paho 1.2.5 queues a PUBACK given while disconnected
     * (its {@code ClientState.send} does not look), and the next connection's sender then finds it
     * ahead of the CONNECT, stops, and the connect waits for ever in {@code CommsSender.start}: TCP
     * open, no CONNECT sent. That was the 95 s hang of 7e953aa (the acknowledgements of messages
     * still queued when it reconnected for redelivery); upstream paho.mqtt.java #947 and #953. What
     * is left is a race of a few instructions against the connection's loss, which the supervisor's
     * connect deadline covers.
     */
    private void acknowledge(int messageId, int qos) {
        if (!isConnected()) {
            window.acknowledgementFailed(messageId);
            return;
        }
        try {
            super.messageArrivedComplete(messageId, qos);
        } catch (MqttException e) {
            LOG.debug("PUBACK of {} not sent ({}): acknowledged when the broker sends it again", messageId, e.getMessage());
            window.acknowledgementFailed(messageId);
        }
    }

    /**
     * Gives up a connect that has not completed (no CONNACK): closes the connection without a
     * DISCONNECT, so that the attempt fails and the next one can start.
     */
    void abandonConnect() {
        window.disconnected();
        try {
            aClient.disconnectForcibly(0, 0, false);
        } catch (MqttException e) {
            LOG.debug("abandoning the connect of {}: {}", getClientId(), e.getMessage());
        }
    }

    /**
     * The consumer's subscribe at route start: records the QoS the route asks for, and subscribes
     * now when already connected (otherwise connecting does it).
     */
    @Override
    public IMqttToken subscribe(String topic, int requestedQos) {
        if (!name.equals(topic)) {
            throw new IllegalArgumentException("this client subscribes " + name + ", not " + topic);
        }
        this.qos = requestedQos;
        if (isConnected()) {
            executor.execute(() -> subscribeAll(false));
        }
        return null;
    }

    /**
     * Starts connecting without waiting: the CONNACK (with its Session Present flag) or the failure
     * is reported on Paho's callback thread, so the listener hands its work on and returns.
     */
    void connectAsync(MqttConnectionOptions options, Consumer<Boolean> connected, Consumer<MqttException> failed)
            throws MqttException {
        aClient.connect(options, null, new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                connected.accept(token.getSessionPresent());
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
                failed.accept(exception instanceof MqttException m ? m : new MqttException(exception));
            }
        });
    }

    /**
     * Drops the connection without acknowledging what is in flight and keeping the session (a
     * normal DISCONNECT, no session expiry change): the broker delivers those messages again on the
     * next connection. Waits only until the DISCONNECT is sent.
     */
    void disconnectKeepingSession() throws MqttException {
        window.disconnected();
        if (isConnected()) {
            aClient.disconnect(0, null, null, 0, new MqttProperties()).waitForCompletion(5_000);
        }
    }

    /** Filters the kept session may still hold from an earlier run: unsubscribed after the next SUBSCRIBE. */
    void unsubscribeOnce(List<String> dropped) {
        this.unsubscribe = List.copyOf(dropped);
    }

    /**
     * One SUBSCRIBE with every filter, unless the broker kept the session ({@code sessionPresent})
     * and its last granted SUBSCRIBE named these same filters at this QoS ({@link SessionFilters}):
     * then the session still holds them, and the subscription is up as it is.
     *
     * <p>A filter the broker refuses is reported, the others run. Nothing waits for the SUBACK: a
     * broker resuming the session sends its backlog first, and the SUBACK behind it is read only as
     * fast as the window lets messages in (a 100,000-message backlog is longer than any fixed wait).
     * The outcome is handled off Paho's callback thread. Retain Handling 1: a topic's retained
     * message comes with the first SUBSCRIBE of a filter, not again with each one after it.
     */
    void subscribeAll(boolean sessionPresent) {
        if (!isConnected()) {
            return;
        }
        int requested = qos;
        List<String> asSubscribed = filters.stream().map(f -> subscribed(f, sharedGroup)).toList();
        if (sessionPresent && unsubscribe.isEmpty() && sessions.holds(getClientId(), asSubscribed, requested)) {
            LOG.debug("{}: the broker kept the session with its subscriptions to {}; not subscribing again", getClientId(),
                    asSubscribed);
            onConnected.run();
            return;
        }
        MqttSubscription[] subscriptions = asSubscribed.stream().map(f -> {
            MqttSubscription s = new MqttSubscription(f, requested);
            s.setRetainHandling(1);
            return s;
        }).toArray(MqttSubscription[]::new);
        try {
            aClient.subscribe(subscriptions, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] codes = token.getReasonCodes();
                    executor.execute(() -> subscribed(codes, asSubscribed, requested));
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    subscribeFailed(exception);
                }
            }, new MqttProperties());
        } catch (MqttException e) {
            subscribeFailed(e);
        }
    }

    private void subscribed(int[] codes, List<String> asSubscribed, int requested) {
        boolean granted = codes != null && codes.length == asSubscribed.size();
        for (int i = 0; codes != null && i < codes.length && i < filters.size(); i++) {
            if (codes[i] >= 0x80) {
                status.error("the broker refused the subscription to " + filters.get(i) + " (reason code " + codes[i] + ")");
            }
            granted &= codes[i] == requested; // reason code = the granted QoS
        }
        if (granted) {
            sessions.subscribed(getClientId(), asSubscribed, requested);
        }
        List<String> dropped = unsubscribe;
        if (!dropped.isEmpty()) {
            unsubscribe = List.of();
            try {
                aClient.unsubscribe(dropped.stream().map(f -> subscribed(f, sharedGroup)).toArray(String[]::new), null, null,
                        new MqttProperties());
                LOG.info("{} unsubscribed from {}, which its topics no longer name", getClientId(), dropped);
            } catch (MqttException e) {
                unsubscribe = dropped; // again after the next SUBSCRIBE
                LOG.warn("Unsubscribing {} from {} failed: {}", getClientId(), dropped, e.getMessage());
            }
        }
        onConnected.run();
    }

    private void subscribeFailed(Throwable e) {
        LOG.warn("Subscribing {} to {} failed: {}", getClientId(), filters, e.getMessage());
        status.error("subscribing failed: " + e.getMessage());
    }

    /** The MQTT 5 shared subscription group, or null. */
    String sharedGroup() {
        return sharedGroup;
    }

    /** The filter as subscribed: {@code $share/<group>/<filter>} in a shared group. */
    static String subscribed(String filter, String sharedGroup) {
        return sharedGroup == null ? filter : "$share/" + sharedGroup + "/" + filter;
    }

    /**
     * Takes no more messages (they stay unacknowledged, kept by the broker's session), so that the
     * route can finish, and acknowledge, those it has before it stops.
     */
    void drain() {
        draining = true;
    }

    /** Ends the broker's session too (MQTT 5: DISCONNECT with session expiry 0), then closes. */
    void closeSession() {
        close(true, "ending the session of");
        sessions.ended(getClientId());
    }

    /**
     * Disconnects, keeping the broker's session (it queues QoS 1 messages until we are back). Paho
     * refuses to close a client while a connect (its automatic reconnect) is under way, and that
     * client would then connect and take the session over from its successor: so close again once
     * the attempt has ended, for at most {@code CLOSE_SECONDS}.
     */
    void closeQuietly() {
        close(false, "disconnecting");
    }

    private void close(boolean endSession, String what) {
        draining = true;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_SECONDS);
        while (true) {
            try {
                if (isConnected() && endSession) {
                    MqttProperties properties = new MqttProperties();
                    properties.setSessionExpiryInterval(0L);
                    aClient.disconnect(0, null, null, 0, properties).waitForCompletion(5_000);
                } else {
                    // Not disconnectForcibly(0, 5_000, true): it waits the full 5 s for a token that
                    // completes only when the connection is shut down (measured: 5 s per subscription).
                    disconnectKeepingSession();
                }
            } catch (MqttException e) {
                LOG.debug("{} {}: {}", what, getClientId(), e.getMessage());
            }
            try {
                close(true);
                return;
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttClientException.REASON_CODE_CONNECT_IN_PROGRESS) {
                    LOG.warn("Could not close the MQTT client {}: {}", getClientId(), e.getMessage());
                    return;
                }
                if (System.nanoTime() > deadline) {
                    // A connect that never ends (see acknowledge): end its socket, then close.
                    abandonConnect();
                    try {
                        close(true);
                    } catch (MqttException again) {
                        LOG.warn("Could not close the MQTT client {}: {}", getClientId(), again.getMessage());
                    }
                    return;
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50); // a connect attempt under way: close once it has ended
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
