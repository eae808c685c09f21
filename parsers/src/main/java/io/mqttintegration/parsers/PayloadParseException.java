package io.mqttintegration.parsers;

/** A payload that its parser cannot read; the message is still stored, raw, with this reason. */
public class PayloadParseException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PayloadParseException(String message) {
        super(message);
    }

    public PayloadParseException(String message, Throwable cause) {
        super(message, cause);
    }
}
