package io.mqttintegration.runtime.ingest;

import io.mqttintegration.runtime.http.QueueFullException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import io.mqttintegration.storage.InboundMessage;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Endpoint;
import org.apache.camel.StatefulService;
import org.apache.camel.ProducerTemplate;
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
    private final long offerTimeoutMillis;
    private volatile ProducerTemplate producer;
    private final java.util.concurrent.atomic.LongAdder rejected = new java.util.concurrent.atomic.LongAdder();
    private volatile Endpoint endpoint;

    public IngestQueue(CamelContext camelContext, String queueName, int capacity, long offerTimeoutMillis) {
        this.camelContext = camelContext;
        this.queueName = queueName;
        this.capacity = capacity;
        this.offerTimeoutMillis = offerTimeoutMillis;
    }

    /**
     * Puts one message on the queue in an exchange of its own (waiting up to the offer timeout
     * when it is full, then failing). Unlike {@code to: seda:...} without waiting, which hands the
     * sender's on-completion callbacks over to the queued copy, nothing of the sender travels: an
     * MQTT subscription's PUBACK (sent when its exchange completes) must wait for the commit, not
     * fire when the pipeline's aggregator takes the copy.
     */
    public void enqueue(InboundMessage message) {
        synchronized (this) {
            offer(message);
        }
    }

    /**
     * Queues a request's messages whole or refuses them whole ({@link QueueFullException}, 503):
     * the room check and the offers happen under one lock, so concurrent requests cannot take the
     * room a request was admitted for (each message goes in an exchange of its own, as in
     * {@link #enqueue}).
     */
    public List<InboundMessage> enqueueAll(List<InboundMessage> messages) {
        synchronized (this) {
            admit(messages);
            for (InboundMessage m : messages) {
                offer(m);
            }
        }
        return messages;
    }

    private void offer(InboundMessage message) {
        ProducerTemplate template = producer;
        if (template == null) {
            producer = template = camelContext.createProducerTemplate();
        }
        // Resolved once: looking the endpoint up by its URI normalizes and parses the URI on every
        // message (about 4 % of the service's CPU per single-message request in a JFR profile, bench/README.md).
        Endpoint target = endpoint;
        if (target == null || (target instanceof StatefulService service && !service.isStarted())) {
            endpoint = target = camelContext.getEndpoint("seda:" + queueName + "?blockWhenFull=true&offerTimeout=" + offerTimeoutMillis);
        }
        try {
            template.sendBody(target, message);
        } catch (CamelExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Refuses the request when the queue cannot take all of its messages now. */
    public void admit(List<?> messages) {
        int free = capacity - depth();
        if (messages.size() > free) {
            rejected.add(messages.size());
            throw new QueueFullException("queue " + queueName + " has room for " + free + " of " + messages.size() + " messages");
        }
    }

    public int depth() {
        BlockingQueue<Exchange> queue = queue();
        return queue == null ? 0 : queue.size();
    }

    /** Messages refused since start because the queue had no room for their request. */
    public long rejected() {
        return rejected.sum();
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
