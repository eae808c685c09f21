package io.mqttintegration.runtime.presence;

import io.mqttintegration.parsers.Reading;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.MessageWriter;
import io.mqttintegration.storage.presence.DeviceKey;
import io.mqttintegration.storage.presence.Seen;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Last seen, coalesced: told of each commit by the writer, it keeps one entry per device (the
 * newest receive time of its stored messages) until the next flush takes them all. A commit costs
 * a map update per device it names, on the writer's thread, and nothing else: the flush writes them
 * later, outside the writer's transaction. At {@code max} devices waiting, a device not already
 * waiting is left out (counted): its next message after the flush counts.
 */
public final class PresenceTracker implements MessageWriter.CommitListener {

    private static final String[] SOURCES = {
        InboundMessage.Source.HTTP.name().toLowerCase(Locale.ROOT),
        InboundMessage.Source.MQTT.name().toLowerCase(Locale.ROOT),
        InboundMessage.Source.HOSTED.name().toLowerCase(Locale.ROOT)};

    private final ConcurrentHashMap<DeviceKey, Seen> pending = new ConcurrentHashMap<>();
    private final int max;
    private final LongAdder left = new LongAdder();

    /** @param max devices waiting for the flush, at most */
    public PresenceTracker(int max) {
        this.max = max;
    }

    /** The devices of stored messages (those of an integration, with a device id). */
    @Override
    public void committed(List<InboundMessage> stored) {
        for (InboundMessage m : stored) {
            if (m.integrationId() == null || m.organizationId() == null) {
                continue;
            }
            List<Reading> readings = m.readings();
            String previous = null;
            for (Reading r : readings) {
                String device = r.deviceId();
                if (device != null && !device.equals(previous)) {
                    merge(new Seen(m.organizationId(), m.integrationId(), device, SOURCES[m.source().ordinal()], m.receivedAt()));
                }
                previous = device;
            }
        }
    }

    private void merge(Seen seen) {
        DeviceKey key = seen.key();
        if (pending.size() >= max && !pending.containsKey(key)) {
            left.increment();
            return;
        }
        pending.merge(key, seen, PresenceTracker::newer);
    }

    private static Seen newer(Seen a, Seen b) {
        return b.at().isAfter(a.at()) ? b : a;
    }

    /** Takes every waiting entry (each removed with its newest value). */
    public List<Seen> drain() {
        List<Seen> out = new ArrayList<>(pending.size());
        for (DeviceKey key : pending.keySet()) {
            Seen s = pending.remove(key);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** Entries a flush could not write go back, merged with what came since. */
    public void restore(Collection<Seen> entries) {
        entries.forEach(this::merge);
    }

    public int waiting() {
        return pending.size();
    }

    /** Devices left out of a flush because {@code max} were waiting. */
    public long leftOut() {
        return left.sum();
    }
}
