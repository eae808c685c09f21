package io.mqttintegration.spi.broker;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/** The hosted broker while it runs, as the service and the console see it. */
public interface RunningBroker {

    /**
     * Publishes one message into the hosted broker as the service (never as a device): a command or
     * configuration down to devices.
     *
     * @param topic          an MQTT topic name (checked by the caller: inside a device's namespace)
     * @param qos            0 or 1; with 1 this returns once the message is in the broker's journal
     * @param retain         kept for the topic's later subscribers (an empty payload clears it)
     * @param userProperties MQTT 5 user properties, in order
     */
    void publish(String topic, byte[] payload, int qos, boolean retain, String contentType,
            List<Map.Entry<String, String>> userProperties) throws Exception;

    /** The devices connected now, oldest connection first. */
    List<ConnectedDevice> devices();

    /** Devices connected now. */
    int connected();

    /** Devices connected now, per organization (each organization that had one connected since the start). */
    Map<UUID, Integer> connectedByOrganization();

    /** Called with an organization the first time one of its devices connects (a new series in /metrics). */
    void onOrganization(Consumer<UUID> listener);

    /** Messages the broker took from devices since it started. */
    long received();

    long refusals(Refusal reason);

    /** Messages in the broker's ingest queue, not committed yet. */
    long ingestQueueMessages();
}
