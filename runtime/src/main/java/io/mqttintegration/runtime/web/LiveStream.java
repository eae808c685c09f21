package io.mqttintegration.runtime.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.parsers.Reading;
import io.mqttintegration.storage.InboundMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One client's live message stream ({@code text/event-stream}), written event by event on the
 * connection's event loop ({@link Output}). The writer's thread only {@link #offer}s committed
 * messages: a few counters and a hand-off to the event loop, never a wait. Within one second at most
 * {@code eventsPerSecond} are taken; the rest, and any the client is too slow to take (its write
 * queue full), are counted and announced as {@code event: dropped} at the next {@link #tick} (once a
 * second), which also sends a {@code : ping} comment after {@link #PING_NANOS} without an event, so
 * proxies and the server's idle timeout keep the connection.
 */
public final class LiveStream {

    static final long PING_NANOS = TimeUnit.SECONDS.toNanos(15);

    /** Where the events go; called on the connection's event loop only. */
    public interface Output {

        /** Writes one event; false if the client is not reading fast enough (the event is then dropped). */
        boolean write(String text);

        /** Ends the answer (the service stops). */
        void end();
    }

    private final UUID integrationId;
    private final int eventsPerSecond;
    private final LongSupplier nanos;
    private final Executor loop;
    private final Output output;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private long window = Long.MIN_VALUE;
    private int inWindow;
    private long lastWrite;
    private volatile boolean stopped;

    /**
     * @param loop   runs a task on the connection's event loop, after the answer's head is written
     * @param output the answer, written from {@code loop} only
     */
    LiveStream(UUID integrationId, int eventsPerSecond, LongSupplier nanos, Executor loop, Output output) {
        this.integrationId = integrationId;
        this.eventsPerSecond = eventsPerSecond;
        this.nanos = nanos;
        this.loop = loop;
        this.output = output;
        this.lastWrite = nanos.getAsLong();
    }

    public UUID integrationId() {
        return integrationId;
    }

    /** From the writer's thread, after the commit: hands the message to the event loop or counts it dropped; never blocks. */
    void offer(InboundMessage message) {
        if (stopped) {
            return;
        }
        long second = nanos.getAsLong() / 1_000_000_000L;
        boolean taken;
        synchronized (this) {
            if (second != window) {
                window = second;
                inWindow = 0;
            }
            taken = inWindow < eventsPerSecond;
            if (taken) {
                inWindow++;
            }
        }
        if (taken) {
            loop.execute(() -> send(message));
        } else {
            dropped.incrementAndGet();
        }
    }

    private void send(InboundMessage message) {
        if (stopped) {
            return;
        }
        if (write("event: message\ndata: " + json(message) + "\n\n")) {
            sent.incrementAndGet();
        } else {
            dropped.incrementAndGet();
        }
    }

    /** Once a second on the event loop: announces what was dropped, or pings after 15 s of silence. */
    public void tick() {
        if (stopped) {
            return;
        }
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            if (!write("event: dropped\ndata: {\"dropped\":" + lost + "}\n\n")) {
                dropped.addAndGet(lost);
            }
        } else if (nanos.getAsLong() - lastWrite >= PING_NANOS) {
            write(": ping\n\n");
        }
    }

    private boolean write(String text) {
        if (!output.write(text)) {
            return false;
        }
        lastWrite = nanos.getAsLong();
        return true;
    }

    /** The client went away or the service stops: nothing more is written, and the answer is ended. */
    public void stop() {
        if (!stopped) {
            stopped = true;
            loop.execute(output::end);
        }
    }

    /** Events written (the dropped announcements not counted). */
    public long sent() {
        return sent.get();
    }

    /** One message as the event's data, on one line (JSON has no raw newline). */
    static String json(InboundMessage m) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("messageId", m.id());
        event.put("receivedAt", m.receivedAt().toString());
        event.put("source", m.source().name().toLowerCase(Locale.ROOT));
        event.put("topic", m.topic());
        List<Reading> readings = m.readings();
        event.put("deviceId", readings.isEmpty() ? null : readings.get(0).deviceId());
        event.put("parseStatus", m.parseStatus().name().toLowerCase(Locale.ROOT));
        event.put("parseError", m.parseError());
        List<Map<String, Object>> out = new ArrayList<>(readings.size());
        for (Reading r : readings) {
            Map<String, Object> reading = new LinkedHashMap<>();
            reading.put("deviceId", r.deviceId());
            reading.put("ts", r.timestamp().toString());
            reading.put("metrics", r.metrics());
            reading.put("units", r.units());
            out.add(reading);
        }
        event.put("readings", out);
        try {
            return Json.strict().writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
