package io.mqttintegration.runtime.ingest;

import io.mqttintegration.storage.DeadLetterStore;
import io.mqttintegration.storage.InboundMessage;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * The end of the dead-letter channel: keeps the message(s) of an exchange that a route gave up on,
 * with the exception as the reason, so that whoever waits on them is answered.
 */
public final class DeadLetterHandler {

    private final DeadLetterStore store;

    public DeadLetterHandler(DeadLetterStore store) {
        this.store = store;
    }

    public void keep(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = cause == null ? "unknown failure" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        String routeId = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class);
        Object body = exchange.getMessage().getBody();
        if (body instanceof InboundMessage m) {
            store.store(m, reason, routeId);
        } else if (body instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof InboundMessage m) {
                    store.store(m, reason, routeId);
                }
            }
        } else {
            throw new IllegalStateException("dead letter with a body of type "
                    + (body == null ? "null" : body.getClass().getName()) + " from route " + routeId + ": " + reason);
        }
    }

    public long kept() {
        return store.kept();
    }
}
