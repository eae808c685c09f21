package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.storage.InboundMessage;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.concurrent.CompletionException;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.support.AsyncProcessorSupport;

/**
 * Processor {@code mqttAwaitStored}: completes a subscription's exchange when its message is
 * committed (or kept as a dead letter), without holding a thread. Only then does the paho-mqtt5
 * consumer send the PUBACK (manual acks, on completion). A message the database did not take fails
 * the exchange: no PUBACK, and the broker delivers it again after the reconnect the failure asks for.
 * Messages of one subscription are in flight together (up to the broker's in-flight window), so
 * the writers batch them. Several writers commit side by side, so a later message may be committed
 * first; its exchange still completes after its predecessor's, so the PUBACKs go out in the order
 * the PUBLISHes came (MQTT 5, 4.6: a client sends PUBACKs in the order it received the messages).
 */
public final class AwaitStored extends AsyncProcessorSupport {

    private final Consumer<UUID> stored;
    /** Per integration: completes once its latest message's exchange has completed. */
    private final Map<UUID, CompletableFuture<Void>> previous = new ConcurrentHashMap<>();

    /** @param stored told the integration of each message stored ({@link Subscriptions#stored}) */
    public AwaitStored(Consumer<UUID> stored) {
        this.stored = stored;
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        InboundMessage message = exchange.getMessage().getBody(InboundMessage.class);
        if (message == null) {
            exchange.setException(new IllegalStateException("no inbound message to wait for"));
            callback.done(true);
            return true;
        }
        UUID integrationId = message.integrationId();
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> before = previous.put(integrationId, done);
        CompletableFuture<Void> turn = before == null ? CompletableFuture.completedFuture(null) : before;
        message.outcome().whenComplete((outcome, error) -> turn.whenComplete((ignored, e) -> {
            try {
                if (error != null) {
                    exchange.setException(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
                } else {
                    stored.accept(integrationId);
                }
                callback.done(false);
            } finally {
                done.complete(null);
            }
        }));
        return false;
    }
}
