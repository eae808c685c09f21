package io.mqttintegration.runtime.presence;

import io.mqttintegration.storage.presence.ConnectionChange;
import io.mqttintegration.storage.presence.DeviceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hosted broker's connection events in the order it reported them, waiting for the flush: an
 * offer never blocks the broker's thread. At {@code max} waiting an event is dropped (counted).
 */
final class ConnectionEvents {

    private final ConcurrentLinkedQueue<ConnectionChange> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private final int max;

    ConnectionEvents(int max) {
        this.max = max;
    }

    boolean offer(ConnectionChange change) {
        if (size.incrementAndGet() > max) {
            size.decrementAndGet();
            dropped.increment();
            return false;
        }
        queue.add(change);
        return true;
    }

    /** Up to {@code limit} events, oldest first. */
    List<ConnectionChange> drain(int limit) {
        List<ConnectionChange> out = new ArrayList<>();
        ConnectionChange c;
        while (out.size() < limit && (c = queue.poll()) != null) {
            size.decrementAndGet();
            out.add(c);
        }
        return out;
    }

    long dropped() {
        return dropped.sum();
    }

    int waiting() {
        return size.get();
    }

    /**
     * The events split into rounds with at most one event per device each, a device's events in
     * their order across the rounds: a connect storm of distinct devices is one round (one statement).
     */
    static List<List<ConnectionChange>> rounds(List<ConnectionChange> events) {
        List<List<ConnectionChange>> rounds = new ArrayList<>();
        Map<DeviceKey, Integer> seen = new HashMap<>();
        for (ConnectionChange e : events) {
            int round = seen.merge(e.key(), 1, Integer::sum) - 1;
            if (round == rounds.size()) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(round).add(e);
        }
        return rounds;
    }
}
