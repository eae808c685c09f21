package io.mqttintegration.spi.broker;

/** The service's ingest queue has no room now: the broker keeps the messages and offers them again shortly. */
public final class QueueFullException extends Exception {

    private static final long serialVersionUID = 1L;

    public QueueFullException(String message) {
        super(message);
    }
}
