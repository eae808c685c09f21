package io.mqttintegration.runtime.ingest;

import io.mqttintegration.runtime.http.QueueFullException;
import io.mqttintegration.storage.InboundMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.StatefulService;
import org.apache.camel.component.seda.BlockingQueueFactory;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * The bounded SEDA queue between the senders (an HTTP request, a subscription's message) and the
 * writers of {@code ingest-pipeline}. One queue entry per request: an exchange whose body is the
 * request's messages. Room is counted in messages: a request is queued whole or refused whole
 * with 503 ({@link QueueFullException}), and nothing of the sender travels with the entry.
 *
 * <p>A writer that takes an entry {@linkplain #drain drains} whatever else is queued at that
 * moment, up to the batch size, into the same transaction: quiet, a batch is one request and its
 * latency one commit; busy, batches grow by themselves while the other writers commit.
 *
 * <p>Subscriptions are not refused: {@link #enqueueWaiting} waits for room instead, which stops the
 * subscription's client from reading its socket (flow control back to the broker). They share
 * room for two batches, and never more than half the capacity ({@link #subscriptionRoom}), taken in
 * the order they asked (a fair semaphore): while many subscriptions catch up on a backlog, each gets
 * its turn, the writers always have a batch ready, and an HTTP request finds room (or gets its 503
 * at once, as before) and waits behind at most two batches of subscription messages. A deeper
 * queue would only hold more of the backlog here instead of at the brokers, and make every HTTP
 * request behind it wait longer (measured on the assembly with half the queue: 200 subscriptions
 * catching up kept 5,000 queued, and the paced HTTP load got a fifth of its 202s).
 *
 * <p>Order: an HTTP request goes ahead of the subscription messages queued before it. A device
 * waits for its 202 while a subscription's message only holds a slot of its window, so a backlog
 * being caught up should not add two batches' commits to every request's latency (measured on the
 * assembly: 200 subscriptions catching up held paced HTTP ingestion to 200-330 of 1,000 requests/s
 * in FIFO order). The queue is a priority queue ({@link Entries}) ordered by {@link #ORDER},
 * stamped on each entry: a subscription's message is placed by the count of messages offered before
 * it, a request {@code capacity} messages earlier. A request so passes every subscription message
 * offered within the last {@code capacity} messages (all those queued, as they hold two batches at
 * most); requests keep their order among themselves, and so do subscription messages; and a
 * subscription message is passed by at most a queue's worth of requests, so a flood of requests
 * slows subscriptions down but cannot stop them.
 */
public final class IngestQueue {

    /** Exchange property of an entry: its place in the queue (a long; lower is taken first). */
    static final String ORDER = "mqiIngestOrder";

    private final CamelContext camelContext;
    private final String queueName;
    private final int capacity;
    private final int batchSize;
    private final WriterTurns turns;
    /** Messages offered and not yet taken by a writer: what the capacity bounds. */
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder rejected = new LongAdder();
    /** Room for subscriptions' messages: two batches, at most half the capacity; first come, first served. */
    private final Semaphore subscriptionRoom;
    private final LongAdder waited = new LongAdder();
    /** Messages offered since start: where the next entry goes. */
    private final AtomicLong offered = new AtomicLong();
    /** Makes the queue when the first endpoint of it starts, and keeps it: what the writers drain. */
    private final Entries entries = new Entries();
    private volatile ProducerTemplate producer;
    private volatile Endpoint endpoint;

    /**
     * @param capacity  messages the queue holds at most
     * @param batchSize messages a writer drains into one batch (it may pass it by one request)
     * @param turns     when a writer starts its batch while another one writes
     */
    public IngestQueue(CamelContext camelContext, String queueName, int capacity, int batchSize, WriterTurns turns) {
        this.camelContext = camelContext;
        this.queueName = queueName;
        this.capacity = capacity;
        this.batchSize = batchSize;
        this.turns = turns;
        this.subscriptionRoom = new Semaphore(Math.max(1, Math.min(capacity / 2, 2 * batchSize)), true);
        if (camelContext != null) {
            // For the pipeline's endpoint, which names it: queueFactory "#ingestQueueFactory".
            camelContext.getRegistry().bind(queueName + "QueueFactory", entries);
        }
    }

    /**
     * The SEDA queue's factory: camel-seda asks it for the queue when the first endpoint of the
     * queue's name starts (again after every endpoint of it stopped, as a reloaded pipeline may), and
     * the queue it made last is the one a writer drains. So the queue is reached without looking
     * into camel-seda's registry of queues.
     */
    private static final class Entries implements BlockingQueueFactory<Exchange> {
        private volatile BlockingQueue<Exchange> current;

        @Override
        public BlockingQueue<Exchange> create() {
            return create(11);
        }

        @Override
        public BlockingQueue<Exchange> create(int capacity) {
            // Unbounded: IngestQueue bounds what is queued itself (capacity + the subscriptions' room).
            BlockingQueue<Exchange> queue = new PriorityBlockingQueue<>(Math.max(1, capacity), Comparator.comparingLong(IngestQueue::place));
            current = queue;
            return queue;
        }
    }

    /**
     * The place of an entry ({@link #ORDER}): a subscription's message at {@code 2n + 1}, a request
     * at {@code 2(n - capacity)}, where n counts the messages offered before it (so no two entries
     * share a place). An entry without one (not queued by this class) goes last.
     */
    static long place(Exchange entry) {
        return entry.getProperty(ORDER) instanceof Long place ? place : Long.MAX_VALUE;
    }

    long placeOf(List<InboundMessage> messages) {
        long before = offered.getAndAdd(messages.size());
        return messages instanceof Held ? 2 * before + 1 : 2 * (before - capacity);
    }

    /**
     * Queues one message in an entry of its own (a subscription's message, a replayed dead letter).
     * Unlike {@code to: seda:...}, which hands the sender's on-completion callbacks over to the
     * queued copy, nothing of the sender travels: an MQTT subscription's PUBACK (sent when its
     * exchange completes) must wait for the commit, not fire when a writer takes the entry.
     */
    public InboundMessage enqueue(InboundMessage message) {
        enqueueAll(List.of(message));
        return message;
    }

    /**
     * Queues one message of a subscription, waiting for room rather than refusing it: the caller is
     * the subscription client's callback thread, and while it waits its client reads nothing more
     * from the broker. Waits without limit; an interrupt (the client's connection is going down)
     * ends the wait, and the message, not queued, stays unacknowledged for the broker to send again.
     *
     * @throws QueueFullException when interrupted, with the thread's interrupt flag set again
     */
    public InboundMessage enqueueWaiting(InboundMessage message) {
        if (!subscriptionRoom.tryAcquire()) {
            waited.increment();
            try {
                subscriptionRoom.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QueueFullException("interrupted while waiting for room in queue " + queueName);
            }
        }
        queued.incrementAndGet(); // subscriptions hold at most half of the capacity
        try {
            offer(new Held(message));
        } catch (RuntimeException e) {
            queued.decrementAndGet();
            subscriptionRoom.release();
            throw e;
        }
        turns.queued(queued.get());
        return message;
    }

    /** A subscription's entry: its room goes back to {@link #subscriptionRoom} when a writer takes it. */
    private static final class Held extends java.util.AbstractList<InboundMessage> {
        private final InboundMessage message;

        Held(InboundMessage message) {
            this.message = message;
        }

        @Override
        public InboundMessage get(int index) {
            if (index != 0) {
                throw new IndexOutOfBoundsException(index);
            }
            return message;
        }

        @Override
        public int size() {
            return 1;
        }
    }

    /**
     * Queues a request's messages as one entry, or refuses them whole ({@link QueueFullException},
     * 503) when the queue lacks room for all of them. Room is reserved before the offer, so
     * concurrent requests cannot take the room a request was admitted for.
     */
    public List<InboundMessage> enqueueAll(List<InboundMessage> messages) {
        int n = messages.size();
        if (n == 0) {
            return messages;
        }
        int now;
        do {
            now = queued.get();
            if (now + n > capacity) {
                rejected.add(n);
                throw new QueueFullException("queue " + queueName + " has room for " + (capacity - now) + " of " + n + " messages");
            }
        } while (!queued.compareAndSet(now, now + n));
        try {
            offer(messages);
        } catch (RuntimeException e) {
            queued.addAndGet(-n);
            throw e;
        }
        turns.queued(now + n);
        return messages;
    }

    private void offer(List<InboundMessage> messages) {
        ProducerTemplate template = producer;
        if (template == null) {
            producer = template = camelContext.createProducerTemplate();
        }
        // Resolved once: looking the endpoint up by its URI normalizes and parses the URI on every
        // request (about 4 % of the service's CPU per single-message request in a JFR profile). It
        // names the ordered queue too: whichever endpoint of the queue starts first creates it.
        Endpoint target = endpoint;
        if (target == null || (target instanceof StatefulService service && !service.isStarted())) {
            endpoint = target = camelContext.getEndpoint("seda:" + queueName + "?queueFactory=#" + queueName + "QueueFactory");
        }
        long place = placeOf(messages);
        Exchange sent = template.send(target, e -> {
            e.getMessage().setBody(messages);
            e.setProperty(ORDER, place);
        });
        if (sent.getException() != null) {
            throw sent.getException() instanceof RuntimeException r ? r : new IllegalStateException(sent.getException());
        }
    }

    /**
     * Pipeline step: the messages of the entry a writer took, and of every entry queued behind it
     * when its turn comes ({@link WriterTurns}), until the batch holds {@code batchSize} messages.
     * The turn ends when the exchange completes, written or failed.
     */
    public List<InboundMessage> drain(Exchange exchange) {
        turns.begin(queued::get);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                turns.end();
            }
        });
        @SuppressWarnings("unchecked")
        List<InboundMessage> first = exchange.getMessage().getBody(List.class);
        return drainBehind(first);
    }

    /**
     * The messages of {@code first} and of every entry queued behind it now, up to the batch size;
     * but a batch that starts with a request takes requests only (they come first, {@link #ORDER}),
     * so that a request's latency is a small commit of requests, not the commit of a batch filled
     * up with a thousand subscription messages behind it.
     */
    List<InboundMessage> drainBehind(List<InboundMessage> first) {
        List<InboundMessage> batch = new ArrayList<>(first);
        int taken = first.size();
        int held = first instanceof Held ? 1 : 0;
        Boolean requestsOnly = first.isEmpty() ? null : !(first instanceof Held);
        BlockingQueue<Exchange> entries = this.entries.current;
        while (entries != null && batch.size() < batchSize) {
            Exchange next = entries.peek();
            if (next == null || (Boolean.TRUE.equals(requestsOnly) && next.getMessage().getBody() instanceof Held)) {
                break;
            }
            next = entries.poll();
            if (next == null) {
                break; // another writer took it
            }
            @SuppressWarnings("unchecked")
            List<InboundMessage> more = next.getMessage().getBody(List.class);
            if (requestsOnly == null) {
                requestsOnly = !(more instanceof Held);
            }
            batch.addAll(more);
            taken += more.size();
            held += more instanceof Held ? 1 : 0;
        }
        queued.addAndGet(-taken);
        if (held > 0) {
            subscriptionRoom.release(held);
        }
        return batch;
    }

    /** Messages waiting for a writer. */
    public int depth() {
        return queued.get();
    }

    /** Messages refused since start because the queue had no room for their request. */
    public long rejected() {
        return rejected.sum();
    }

    public int capacity() {
        return capacity;
    }

    /** Subscription messages that had to wait for room since start (flow control at work, not a loss). */
    public long waited() {
        return waited.sum();
    }

}
