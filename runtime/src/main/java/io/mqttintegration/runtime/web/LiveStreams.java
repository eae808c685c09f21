package io.mqttintegration.runtime.web;

import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.MessageWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open live message streams of this node (GET /api/v1/integrations/{id}/live), fed by the
 * writer after each commit ({@link MessageWriter#onCommit}). With no stream open a commit costs one
 * map lookup. Each stream is an open connection and a timer on an event loop, so a node opens at
 * most {@code maxStreams} at once; another gets 503 with Retry-After.
 */
public final class LiveStreams implements MessageWriter.CommitListener {

    private final Map<UUID, Set<LiveStream>> byIntegration = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final int eventsPerSecond;
    private final int maxStreams;

    /**
     * @param eventsPerSecond console.liveEventsPerSecond: events at most per second on one stream
     * @param maxStreams      streams open at once on this node
     */
    public LiveStreams(int eventsPerSecond, int maxStreams) {
        this.eventsPerSecond = eventsPerSecond;
        this.maxStreams = maxStreams;
    }

    /**
     * A new stream of the integration's messages, fed from now on.
     *
     * @param loop   runs a task on the connection's event loop
     * @param output the answer, whose head is written already
     */
    public LiveStream open(UUID integrationId, Executor loop, LiveStream.Output output) {
        if (open.incrementAndGet() > maxStreams) {
            open.decrementAndGet();
            throw new ApiException(503, "streams_busy", "this node has " + maxStreams + " live streams open; retry in 10 s")
                    .retryAfter(10);
        }
        LiveStream stream = new LiveStream(integrationId, eventsPerSecond, System::nanoTime, loop, output);
        byIntegration.computeIfAbsent(integrationId, k -> ConcurrentHashMap.newKeySet()).add(stream);
        return stream;
    }

    /** The answer ended (the client left, or the service stops): the stream is forgotten. */
    public void closed(LiveStream stream) {
        stream.stop();
        byIntegration.computeIfPresent(stream.integrationId(), (k, streams) -> {
            if (streams.remove(stream)) {
                open.decrementAndGet();
            }
            return streams.isEmpty() ? null : streams;
        });
    }

    public int open() {
        return open.get();
    }

    @Override
    public void committed(List<InboundMessage> stored) {
        if (byIntegration.isEmpty()) {
            return;
        }
        for (InboundMessage m : stored) {
            Set<LiveStream> streams = m.integrationId() == null ? null : byIntegration.get(m.integrationId());
            if (streams != null) {
                for (LiveStream s : streams) {
                    s.offer(m);
                }
            }
        }
    }

    /** Every stream ends (the service stops). */
    public void closeAll() {
        byIntegration.values().forEach(streams -> streams.forEach(LiveStream::stop));
    }
}
