package io.mqttintegration.runtime.mqtt;

/**
 * A broker could not be reached or refused us, classified: dns, refused, timeout, tls, auth,
 * not_authorized, protocol. The message is safe to show a client (no stack trace, no secret).
 */
public class BrokerException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String kind;

    public BrokerException(String kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public String kind() {
        return kind;
    }
}
