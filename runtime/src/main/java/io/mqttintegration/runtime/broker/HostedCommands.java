package io.mqttintegration.runtime.broker;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The way from the API to the hosted broker, for commands and configuration sent down to devices
 * ({@code POST /api/v1/integrations/{id}/publish} with {@code "hosted": true}). The service makes one
 * and hands it to the API and to the broker's component ({@link HostedParts}); the broker attaches its
 * publisher when it has started and detaches it when it stops, so while the broker feature is not
 * running {@link #publisher()} is empty and the API answers 503.
 */
public final class HostedCommands {

    /** Publishes one message into the hosted broker, as the service (never as a device). */
    public interface Publisher {

        /**
         * @param topic          an MQTT topic name (checked by the caller: inside a device's namespace)
         * @param qos            0 or 1; with 1 this returns once the message is in the broker's journal
         * @param retain         kept for the topic's later subscribers (an empty payload clears it)
         * @param userProperties MQTT 5 user properties, in order
         */
        void publish(String topic, byte[] payload, int qos, boolean retain, String contentType,
                List<Map.Entry<String, String>> userProperties) throws Exception;
    }

    private volatile Publisher current;

    /** The hosted broker's publisher while the broker runs. */
    public Optional<Publisher> publisher() {
        return Optional.ofNullable(current);
    }

    void attach(Publisher publisher) {
        current = publisher;
    }

    /** Detaches {@code publisher} if it is still the attached one (a newer broker's stays). */
    synchronized void detach(Publisher publisher) {
        if (current == publisher) {
            current = null;
        }
    }
}
