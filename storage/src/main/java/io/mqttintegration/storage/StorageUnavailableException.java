package io.mqttintegration.storage;

/** The database could not commit a message (down, unreachable, timed out); nothing was stored. */
public class StorageUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StorageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
