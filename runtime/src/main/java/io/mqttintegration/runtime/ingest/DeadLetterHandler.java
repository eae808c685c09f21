package io.mqttintegration.runtime.ingest;

import io.mqttintegration.storage.DeadLetterStore;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.StorageUnavailableException;
import java.util.List;
import org.apache.camel.Exchange;

/**
 * The end of the dead-letter channel: keeps the message(s) of an exchange that a route gave up on,
 * with the exception as the reason, so that whoever waits on them is answered.
 */
public final class DeadLetterHandler {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeadLetterHandler.class);

    private final DeadLetterStore store;
    private final java.util.concurrent.atomic.LongAdder notKept = new java.util.concurrent.atomic.LongAdder();

    public DeadLetterHandler(DeadLetterStore store) {
        this.store = store;
    }

    public void keep(Exchange exchange) {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = cause == null ? "unknown failure" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        String routeId = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class);
        Object body = exchange.getMessage().getBody();
        StorageUnavailableException unavailable = unavailable(cause);
        if (unavailable != null) {
            // Not a poison message: the database was away (a step looked something up). Keeping it
            // as a dead letter would answer 202 / acknowledge it without a row, the moment the
            // database is back. Fail it instead: the HTTP sender gets 503, the broker redelivers.
            for (InboundMessage m : messages(body, routeId, reason)) {
                m.outcome().completeExceptionally(unavailable);
            }
            notKept.increment();
            LOG.warn("Not kept as a dead letter (route {}): the database was unavailable; the sender retries", routeId);
            return;
        }
        for (InboundMessage m : messages(body, routeId, reason)) {
            store.store(m, reason, routeId);
        }
    }

    private static List<InboundMessage> messages(Object body, String routeId, String reason) {
        if (body instanceof InboundMessage m) {
            return List.of(m);
        }
        if (body instanceof List<?> list) {
            return list.stream().filter(InboundMessage.class::isInstance).map(InboundMessage.class::cast).toList();
        }
        throw new IllegalStateException("dead letter with a body of type "
                + (body == null ? "null" : body.getClass().getName()) + " from route " + routeId + ": " + reason);
    }

    /** The StorageUnavailableException in the cause chain, if any. */
    private static StorageUnavailableException unavailable(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StorageUnavailableException su) {
                return su;
            }
        }
        return null;
    }

    /** Exchanges that failed because the database was unavailable, and were failed rather than kept. */
    public long notKept() {
        return notKept.sum();
    }

    public long kept() {
        return store.kept();
    }
}
