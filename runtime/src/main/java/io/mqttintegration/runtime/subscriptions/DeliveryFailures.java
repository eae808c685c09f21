package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.runtime.http.QueueFullException;
import io.mqttintegration.storage.StorageUnavailableException;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.spi.ExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscription consumers' exception handler ({@code mqttDeliveryFailures}): a message that was
 * not stored stays unacknowledged; this counts it, logs one line (a database outage is not a bug,
 * so no stack trace), and asks for a reconnect so the broker delivers it again.
 */
public final class DeliveryFailures implements ExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryFailures.class);

    private final Subscriptions subscriptions;

    public DeliveryFailures(Subscriptions subscriptions) {
        this.subscriptions = subscriptions;
    }

    @Override
    public void handleException(Throwable exception) {
        handleException(null, null, exception);
    }

    @Override
    public void handleException(String message, Throwable exception) {
        handleException(message, null, exception);
    }

    @Override
    public void handleException(String message, Exchange exchange, Throwable exception) {
        String id = exchange == null ? null : exchange.getProperty(MqttInbound.INTEGRATION, String.class);
        if (id == null) {
            LOG.error("MQTT subscription failure outside a message: {}", message, exception);
            return;
        }
        UUID integrationId = UUID.fromString(id);
        Integer packetId = exchange.getProperty(MqttInbound.PACKET_ID, Integer.class);
        subscriptions.running(integrationId).ifPresent(s -> s.deliveryFailed(packetId == null ? -1 : packetId));
        if (transient_(exception)) {
            LOG.warn("Message of integration {} not stored, left unacknowledged for redelivery: {}", integrationId,
                    exception.getMessage());
        } else {
            LOG.error("Message of integration {} failed, left unacknowledged for redelivery", integrationId, exception);
        }
        Integer connection = exchange.getProperty(MqttInbound.CONNECTION, Integer.class);
        subscriptions.redeliverLater(integrationId, connection == null ? -1 : connection);
    }

    private static boolean transient_(Throwable e) {
        return e instanceof StorageUnavailableException || e instanceof QueueFullException
                || (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("queue"));
    }
}
