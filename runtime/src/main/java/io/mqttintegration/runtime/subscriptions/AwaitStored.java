package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.storage.InboundMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
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
    private final Map<UUID, InOrder> subscriptions = new ConcurrentHashMap<>();

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
        InOrder order = subscriptions.computeIfAbsent(message.integrationId(), id -> new InOrder());
        order.add(new Waiting(message, exchange, callback));
        message.outcome().whenComplete((outcome, error) -> order.drain());
        return false;
    }

    private record Waiting(InboundMessage message, Exchange exchange, AsyncCallback callback) {
    }

    /**
     * One subscription's exchanges in the order they came. Whoever sees a commit completes every
     * exchange at the head whose message is done, in a loop (a chain of futures would nest one stack
     * frame set per message and overflow with a full in-flight window).
     */
    private final class InOrder {
        private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        private boolean draining;
        private boolean again;

        synchronized void add(Waiting w) {
            waiting.add(w);
        }

        void drain() {
            synchronized (this) {
                if (draining) {
                    again = true; // the thread draining now looks once more before it stops
                    return;
                }
                draining = true;
            }
            while (true) {
                List<Waiting> ready = new ArrayList<>();
                synchronized (this) {
                    while (!waiting.isEmpty() && waiting.peek().message().outcome().isDone()) {
                        ready.add(waiting.poll());
                    }
                    if (ready.isEmpty() && !again) {
                        draining = false;
                        return;
                    }
                    again = false;
                }
                ready.forEach(this::complete);
            }
        }

        private void complete(Waiting w) {
            try {
                w.message().outcome().join();
                stored.accept(w.message().integrationId());
            } catch (CompletionException e) {
                w.exchange().setException(e.getCause() != null ? e.getCause() : e);
            } catch (RuntimeException e) {
                w.exchange().setException(e);
            }
            w.callback().done(false);
        }
    }
}
