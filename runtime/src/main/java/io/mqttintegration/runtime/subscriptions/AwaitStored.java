package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.storage.InboundMessage;
import java.util.UUID;
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
 * the writer batches them.
 */
public final class AwaitStored extends AsyncProcessorSupport {

    private final Subscriptions subscriptions;

    public AwaitStored(Subscriptions subscriptions) {
        this.subscriptions = subscriptions;
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
        message.outcome().whenComplete((outcome, error) -> {
            if (error != null) {
                exchange.setException(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
            } else {
                subscriptions.stored(integrationId);
            }
            callback.done(false);
        });
        return false;
    }
}
