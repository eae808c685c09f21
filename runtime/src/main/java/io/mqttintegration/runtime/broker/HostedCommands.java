package io.mqttintegration.runtime.broker;

import io.mqttintegration.spi.broker.RunningBroker;
import java.util.Optional;

/**
 * The way from the API to the hosted broker, for commands and configuration sent down to devices
 * ({@code POST /api/v1/integrations/{id}/publish} with {@code "hosted": true}). The service makes one
 * and hands it to the API and to the broker ({@link HostedParts#attach}); the broker attaches itself
 * when it has started and is detached before it stops, so while the broker feature is not running
 * {@link #publisher()} is empty and the API answers 503.
 */
public final class HostedCommands {

    private volatile RunningBroker current;

    /** The hosted broker while it runs, to publish through. */
    public Optional<RunningBroker> publisher() {
        return Optional.ofNullable(current);
    }

    void attach(RunningBroker broker) {
        current = broker;
    }

    /** Detaches {@code broker} if it is still the attached one (a newer one stays). */
    synchronized void detach(RunningBroker broker) {
        if (current == broker) {
            current = null;
        }
    }
}
