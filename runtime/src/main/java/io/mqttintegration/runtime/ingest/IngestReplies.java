package io.mqttintegration.runtime.ingest;

import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.StorageUnavailableException;
import io.mqttintegration.storage.StoreOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * Processor {@code ingestReplies}: holds an HTTP request until the writer has committed all of its
 * messages, so that a 202 means "in PostgreSQL", without a thread waiting (the route goes on when
 * the commit completes). A message not committed in time, or refused by an unreachable database,
 * turns the answer into a 503: the client retries, and may so store a message twice (at-least-once).
 */
public final class IngestReplies extends AsyncProcessorSupport {

    private final long commitTimeoutMillis;

    public IngestReplies(long commitTimeoutMillis) {
        this.commitTimeoutMillis = commitTimeoutMillis;
    }

    /** The reply ({@code accepted}, and {@code deadLettered} when some were kept) once every message is committed. */
    public CompletableFuture<Map<String, Object>> whenStored(List<InboundMessage> messages) {
        CompletableFuture<?>[] outcomes = messages.stream().map(InboundMessage::outcome).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(outcomes).orTimeout(commitTimeoutMillis, TimeUnit.MILLISECONDS).handle((done, error) -> {
            if (error != null) {
                throw unavailable(error);
            }
            long deadLettered = messages.stream().filter(m -> m.outcome().join() == StoreOutcome.DEAD_LETTERED).count();
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("accepted", messages.size());
            if (deadLettered > 0) {
                reply.put("deadLettered", (int) deadLettered);
            }
            return reply;
        });
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        @SuppressWarnings("unchecked")
        List<InboundMessage> messages = exchange.getMessage().getBody(List.class);
        whenStored(messages).whenComplete((reply, error) -> {
            if (error != null) {
                exchange.setException(unavailable(error));
            } else {
                exchange.getMessage().setBody(reply);
            }
            callback.done(false);
        });
        return false;
    }

    private StorageUnavailableException unavailable(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof StorageUnavailableException su) {
            return su;
        }
        if (cause instanceof TimeoutException) {
            return new StorageUnavailableException("messages not committed within " + commitTimeoutMillis + " ms", cause);
        }
        return new StorageUnavailableException("messages were not stored", cause);
    }
}
