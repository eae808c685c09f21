package io.mqttintegration.runtime.ingest;

import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.StorageUnavailableException;
import io.mqttintegration.storage.StoreOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Holds an HTTP request until the writer has committed all of its messages, so that a 202 means
 * "in PostgreSQL". A message not committed in time, or refused by an unreachable database, turns
 * the answer into a 503: the client retries, and may so store a message twice (at-least-once).
 */
public final class IngestReplies {

    private final long commitTimeoutMillis;

    public IngestReplies(long commitTimeoutMillis) {
        this.commitTimeoutMillis = commitTimeoutMillis;
    }

    public Map<String, Object> awaitStored(List<InboundMessage> messages) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(commitTimeoutMillis);
        int deadLettered = 0;
        for (InboundMessage m : messages) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (m.outcome().get(left, TimeUnit.NANOSECONDS) == StoreOutcome.DEAD_LETTERED) {
                    deadLettered++;
                }
            } catch (ExecutionException e) {
                if (e.getCause() instanceof StorageUnavailableException su) {
                    throw su;
                }
                throw new StorageUnavailableException("message " + m.id() + " was not stored", e.getCause());
            } catch (TimeoutException e) {
                throw new StorageUnavailableException("messages not committed within " + commitTimeoutMillis + " ms", e);
            }
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("accepted", messages.size());
        if (deadLettered > 0) {
            reply.put("deadLettered", deadLettered);
        }
        return reply;
    }
}
