package io.mqttintegration.runtime.ingest;

import io.mqttintegration.runtime.http.QueueFullException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.seda.QueueReference;
import org.apache.camel.component.seda.SedaComponent;

/**
 * The bounded SEDA queue between the HTTP route and the writer, seen from outside: its depth and
 * capacity, and an admission check so a request is queued whole or refused whole with 503.
 */
public final class IngestQueue {

    private final CamelContext camelContext;
    private final String queueName;
    private final int capacity;

    public IngestQueue(CamelContext camelContext, String queueName, int capacity) {
        this.camelContext = camelContext;
        this.queueName = queueName;
        this.capacity = capacity;
    }

    /** Refuses the request when the queue cannot take all of its messages now. */
    public void admit(List<?> messages) {
        int free = capacity - depth();
        if (messages.size() > free) {
            throw new QueueFullException("queue " + queueName + " has room for " + free + " of " + messages.size() + " messages");
        }
    }

    public int depth() {
        BlockingQueue<Exchange> queue = queue();
        return queue == null ? 0 : queue.size();
    }

    public int capacity() {
        return capacity;
    }

    private BlockingQueue<Exchange> queue() {
        SedaComponent seda = camelContext.getComponent("seda", SedaComponent.class);
        QueueReference ref = seda == null ? null : seda.getQueues().get(seda.getQueueKey("seda://" + queueName));
        return ref == null ? null : ref.getQueue();
    }
}
