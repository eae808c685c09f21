package io.mqttintegration.runtime.internals;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.internal.ClientComms;
import org.eclipse.paho.mqttv5.client.internal.CommsCallback;
import org.eclipse.paho.mqttv5.common.packet.MqttPublish;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DUP flag of each PUBLISH a Paho v5 client receives, which Paho 1.2.5 does not hand on:
 * {@code MqttPublish} reads the bit into a private field of its own, and the {@code MqttMessage}
 * its {@code getMessage()} builds for the {@code MqttCallback} is made without it, so
 * {@code MqttMessage.isDuplicate()} is always false for a received message (upstream
 * paho.mqtt.java #874, open; unchanged on its develop branch). {@link InflightWindow} needs the
 * flag: it tells a message the broker sends again, because our PUBACK never reached it, from a new
 * message that the broker gave a freed packet id. Without it such a message was stored twice
 * (SubscriptionNetworkFaultTest, LateAcknowledgementTest).
 *
 * <p>How: Paho's callback loop ({@code CommsCallback}) takes each received PUBLISH from a queue (an
 * {@code ArrayList}) that the receiver thread adds to. {@link #install} replaces that list, once,
 * before the first connect, with one that notes each PUBLISH's DUP flag under its packet id as it
 * is added, and forgets them all when Paho clears the queue (at each connect: those packets are
 * never delivered). The callback then {@link #take takes} the flag of the message it delivers. The
 * broker does not use a packet id again before its PUBACK, which goes out only after the message
 * was delivered, so the flag noted under an id is the one of the message being delivered.
 *
 * <p>This reads Paho's private fields ({@code MqttAsyncClient.comms}, {@code ClientComms.callback},
 * {@code CommsCallback.messageQueue}, {@code MqttPublish.dup}). If a Paho version no longer has
 * them, {@link #install} logs it and every message counts as not sent again (the behaviour before:
 * a message whose PUBACK was lost is stored twice, never lost); {@code ReceivedDupFlagsTest} fails.
 */
public final class ReceivedDupFlags {

    private static final Logger LOG = LoggerFactory.getLogger(ReceivedDupFlags.class);
    private static final Field COMMS;
    private static final Field CALLBACK;
    private static final Field QUEUE;
    private static final Field DUP;
    private static final String UNAVAILABLE;

    static {
        Field comms = null;
        Field callback = null;
        Field queue = null;
        Field dup = null;
        String unavailable = null;
        try {
            comms = accessible(MqttAsyncClient.class, "comms");
            callback = accessible(ClientComms.class, "callback");
            queue = accessible(CommsCallback.class, "messageQueue");
            dup = accessible(MqttPublish.class, "dup");
            if (queue.getType() != ArrayList.class || dup.getType() != boolean.class) {
                unavailable = "CommsCallback.messageQueue is a " + queue.getType().getName() + ", MqttPublish.dup a "
                        + dup.getType().getName();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            unavailable = e.toString();
        }
        COMMS = comms;
        CALLBACK = callback;
        QUEUE = queue;
        DUP = dup;
        UNAVAILABLE = unavailable;
    }

    /** Packet id → DUP flag of the PUBLISH packets Paho has queued and not yet delivered. */
    private final Map<Integer, Boolean> queued = new ConcurrentHashMap<>();
    private final boolean installed;

    private ReceivedDupFlags(boolean installed) {
        this.installed = installed;
    }

    /** Notes the DUP flags of what the client receives from now on; before its first connect. */
    public static ReceivedDupFlags install(MqttAsyncClient client) {
        if (UNAVAILABLE != null) {
            LOG.warn("{}: the DUP flag of received messages is not available with this Paho version ({}); a message the broker "
                    + "sends again because its PUBACK was lost is stored twice", client.getClientId(), UNAVAILABLE);
            return new ReceivedDupFlags(false);
        }
        ReceivedDupFlags flags = new ReceivedDupFlags(true);
        try {
            Object callback = CALLBACK.get(COMMS.get(client));
            if (!(QUEUE.get(callback) instanceof ArrayList<?> current) || !current.isEmpty()) {
                throw new IllegalStateException("install before the first connect");
            }
            QUEUE.set(callback, flags.new Queue());
            return flags;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("{}: could not follow the DUP flag of received messages ({}); a message the broker sends again because its "
                    + "PUBACK was lost is stored twice", client.getClientId(), e.toString());
            return new ReceivedDupFlags(false);
        }
    }

    /** Whether the flags are followed (false: Paho's internals differ, every message counts as new). */
    public boolean installed() {
        return installed;
    }

    /** The DUP flag of the message with this packet id that Paho delivers now (false if not noted). */
    public boolean take(int packetId) {
        Boolean dup = queued.remove(packetId);
        return dup != null && dup;
    }

    private static Field accessible(Class<?> type, String name) throws NoSuchFieldException {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }

    /** Paho's queue of received PUBLISH packets, noting their DUP flags. */
    private final class Queue extends ArrayList<MqttPublish> {

        @Override
        public boolean add(MqttPublish publish) {
            if (publish.getQoS() > 0) {
                try {
                    queued.put(publish.getMessageId(), DUP.getBoolean(publish) || publish.isDuplicate());
                } catch (IllegalAccessException e) {
                    queued.remove(publish.getMessageId());
                }
            }
            return super.add(publish);
        }

        @Override
        public void clear() {
            queued.clear();
            super.clear();
        }
    }
}
