package io.mqttintegration.runtime.http;

/** The ingestion queue has no room for a request's messages; none of them was queued. */
public class QueueFullException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public QueueFullException(String message) {
        super(message, null, false, false);
    }
}
