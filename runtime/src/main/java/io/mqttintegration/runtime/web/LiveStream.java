package io.mqttintegration.runtime.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.parsers.Reading;
import io.mqttintegration.storage.InboundMessage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One client's live message stream as the body of its HTTP answer ({@code text/event-stream}). The
 * writer's thread only {@link #offer}s committed messages: a few counters and a non-blocking queue
 * offer, never a wait. Within one second at most {@code eventsPerSecond} are taken; the rest are
 * counted and announced as {@code event: dropped}. The answer's reads (Camel's pump, on a worker
 * thread) encode them; a read waits at most a second, and after {@link #PING_NANOS} without an event
 * sends a {@code : ping} comment, so proxies and the server's idle timeout keep the connection.
 */
public final class LiveStream extends InputStream {

    static final long PING_NANOS = TimeUnit.SECONDS.toNanos(15);
    private static final Object STOP = new Object();

    private final UUID integrationId;
    private final int eventsPerSecond;
    private final LongSupplier nanos;
    private final BlockingQueue<Object> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private long window = Long.MIN_VALUE;
    private int inWindow;
    private byte[] pending = ": live\n\n".getBytes(StandardCharsets.UTF_8);
    private int position;
    private long lastWrite;
    private volatile boolean stopped;

    LiveStream(UUID integrationId, int eventsPerSecond, LongSupplier nanos) {
        this.integrationId = integrationId;
        this.eventsPerSecond = eventsPerSecond;
        this.nanos = nanos;
        this.queue = new ArrayBlockingQueue<>(eventsPerSecond + 1);
        this.lastWrite = nanos.getAsLong();
    }

    public UUID integrationId() {
        return integrationId;
    }

    /** From the writer's thread, after the commit: takes the message or counts it dropped; never blocks. */
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
            taken = inWindow < eventsPerSecond && queue.offer(message);
            if (taken) {
                inWindow++;
            }
        }
        if (!taken) {
            dropped.incrementAndGet();
        }
    }

    /** The client went away or the service stops: the next read ends the answer. */
    public void stop() {
        stopped = true;
        queue.offer(STOP);
    }

    /** Events written (the dropped announcements not counted). */
    public long sent() {
        return sent.get();
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        while (pending == null || position == pending.length) {
            if (stopped) {
                return -1;
            }
            pending = next();
            position = 0;
        }
        int n = Math.min(len, pending.length - position);
        System.arraycopy(pending, position, b, off, n);
        position += n;
        return n;
    }

    /** The next bytes to send, or null after a second with nothing to say. */
    private byte[] next() {
        long lost = dropped.getAndSet(0);
        if (lost > 0) {
            return written("event: dropped\ndata: {\"dropped\":" + lost + "}\n\n");
        }
        Object item;
        try {
            item = queue.poll(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
            return null;
        }
        if (item == STOP || stopped) {
            stopped = true;
            return null;
        }
        if (item instanceof InboundMessage message) {
            sent.incrementAndGet();
            return written("event: message\ndata: " + json(message) + "\n\n");
        }
        if (nanos.getAsLong() - lastWrite >= PING_NANOS) {
            return written(": ping\n\n");
        }
        return null;
    }

    private byte[] written(String text) {
        lastWrite = nanos.getAsLong();
        return text.getBytes(StandardCharsets.UTF_8);
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
