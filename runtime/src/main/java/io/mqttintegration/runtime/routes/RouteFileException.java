package io.mqttintegration.runtime.routes;

/** A route file that was refused; the message names the file and what is wrong with it. */
public class RouteFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public RouteFileException(String message) {
        super(message);
    }

    public RouteFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
