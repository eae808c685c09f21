package io.mqttintegration.runtime.metrics;

import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.runtime.ingest.IngestQueue;
import io.mqttintegration.runtime.subscriptions.SubscriptionStatus;
import io.mqttintegration.runtime.subscriptions.Subscriptions;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.StoreOutcome;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.camel.Exchange;

/**
 * Bean {@code metrics}: the service's counters in Prometheus text format ({@code GET /metrics},
 * operator key). Messages are counted per source and integration from the moment the pipeline
 * takes them ({@link #received}) to their outcome, so that at any time
 * {@code received = stored + dead_lettered + failed + in_flight + dropped} (dropped stays 0: no
 * path drops a message it took). Also the queue, batch sizes and commit times, subscription states,
 * and HTTP requests by route and status with their latencies.
 */
public final class Metrics {

    /** What happened to messages of one source and integration. */
    private static final class MessageCounts {
        final LongAdder received = new LongAdder();
        final LongAdder stored = new LongAdder();
        final LongAdder deadLettered = new LongAdder();
        final LongAdder failed = new LongAdder();
    }

    private final Map<String, MessageCounts> messages = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> httpRequests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> httpSeconds = new ConcurrentHashMap<>();
    private final Histogram batchSize = new Histogram(1, 5, 10, 50, 100, 250, 500, 1000, 5000);
    private final Histogram commitSeconds = new Histogram(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5);
    private final IngestQueue queue;
    private final Subscriptions subscriptions;

    public Metrics(IngestQueue queue, Subscriptions subscriptions) {
        this.queue = queue;
        this.subscriptions = subscriptions;
    }

    /** Pipeline step: the message is taken; its outcome is counted when it completes. */
    public InboundMessage received(InboundMessage message) {
        String key = "source=\"" + message.source().name().toLowerCase(Locale.ROOT) + "\",integration=\""
                + (message.integrationId() == null ? "" : message.integrationId()) + "\"";
        MessageCounts counts = messages.computeIfAbsent(key, k -> new MessageCounts());
        counts.received.increment();
        message.outcome().whenComplete((outcome, error) -> {
            if (error != null) {
                counts.failed.increment();
            } else if (outcome == StoreOutcome.DEAD_LETTERED) {
                counts.deadLettered.increment();
            } else {
                counts.stored.increment();
            }
        });
        return message;
    }

    /** Pipeline step: every message of a batch a writer took ({@link #received(InboundMessage)}). */
    public List<InboundMessage> receivedAll(List<InboundMessage> batch) {
        for (InboundMessage m : batch) {
            received(m);
        }
        return batch;
    }

    /** A committed batch (the writer's listener). */
    public void batch(int size, long commitMillis) {
        batchSize.observe(size);
        commitSeconds.observe(commitMillis / 1000.0);
    }

    /** A finished HTTP exchange of a platform-http route. */
    public void httpRequest(String routeId, int status, long millis) {
        String labels = "route=\"" + routeId + "\",status=\"" + status + "\"";
        httpRequests.computeIfAbsent(labels, k -> new LongAdder()).increment();
        httpSeconds.computeIfAbsent("route=\"" + routeId + "\",", k -> new Histogram(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                1, 2.5, 5, 10)).observe(millis / 1000.0);
    }

    /** Messages taken by the pipeline and not yet stored, dead-lettered or failed (every source). */
    public long inFlight() {
        long n = 0;
        for (MessageCounts c : messages.values()) {
            n += c.received.sum() - c.stored.sum() - c.deadLettered.sum() - c.failed.sum();
        }
        return n;
    }

    /** Committed batches since start. */
    public long batches() {
        return batchSize.count();
    }

    /** Mean messages per committed batch (0 before the first). */
    public double meanBatchSize() {
        long n = batchSize.count();
        return n == 0 ? 0 : batchSize.sum() / n;
    }

    /** GET /metrics: operator only. */
    public String render(Exchange exchange) {
        exchange.getProperty(Principal.PROPERTY, Principal.class).requireOperator();
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        return render();
    }

    public String render() {
        StringBuilder out = new StringBuilder(4096);
        Map<String, MessageCounts> sorted = new TreeMap<>(messages);
        series(out, "mqi_messages_received_total", "counter", "Messages the pipeline took, by source and integration.", sorted,
                c -> c.received.sum());
        series(out, "mqi_messages_stored_total", "counter", "Messages committed to mqtt_messages.", sorted, c -> c.stored.sum());
        series(out, "mqi_messages_dead_lettered_total", "counter", "Messages PostgreSQL refused, kept in dead_letters.", sorted,
                c -> c.deadLettered.sum());
        series(out, "mqi_messages_failed_total", "counter", "Messages not stored (database unavailable): their sender retries.",
                sorted, c -> c.failed.sum());
        series(out, "mqi_messages_in_flight", "gauge", "Messages taken and not yet stored, dead-lettered or failed.", sorted,
                c -> c.received.sum() - c.stored.sum() - c.deadLettered.sum() - c.failed.sum());
        out.append("# HELP mqi_messages_dropped_total Messages taken and then lost: no path does this.\n")
                .append("# TYPE mqi_messages_dropped_total counter\nmqi_messages_dropped_total 0\n");
        out.append("# HELP mqi_ingest_queue_depth Messages waiting in the ingestion queue.\n# TYPE mqi_ingest_queue_depth gauge\n")
                .append("mqi_ingest_queue_depth ").append(queue.depth()).append('\n');
        out.append("# HELP mqi_ingest_queue_capacity Capacity of the ingestion queue.\n# TYPE mqi_ingest_queue_capacity gauge\n")
                .append("mqi_ingest_queue_capacity ").append(queue.capacity()).append('\n');
        out.append("# HELP mqi_batch_size Messages per committed batch.\n# TYPE mqi_batch_size histogram\n");
        batchSize.write(out, "mqi_batch_size", "");
        out.append("# HELP mqi_commit_seconds Time to insert and commit one batch.\n# TYPE mqi_commit_seconds histogram\n");
        commitSeconds.write(out, "mqi_commit_seconds", "");
        out.append("# HELP mqi_subscription_state The state of each persistent subscription (1 for its state).\n")
                .append("# TYPE mqi_subscription_state gauge\n");
        for (Map.Entry<UUID, SubscriptionStatus> s : new TreeMap<>(subscriptions.statuses()).entrySet()) {
            for (SubscriptionStatus.State state : SubscriptionStatus.State.values()) {
                out.append("mqi_subscription_state{integration=\"").append(s.getKey()).append("\",state=\"")
                        .append(state.name().toLowerCase(Locale.ROOT)).append("\"} ").append(s.getValue().state() == state ? 1 : 0)
                        .append('\n');
            }
        }
        out.append("# HELP mqi_http_requests_total HTTP requests by route and status.\n# TYPE mqi_http_requests_total counter\n");
        new TreeMap<>(httpRequests).forEach((labels, n) -> out.append("mqi_http_requests_total{").append(labels).append("} ")
                .append(n.sum()).append('\n'));
        out.append("# HELP mqi_http_request_seconds HTTP request latency by route.\n# TYPE mqi_http_request_seconds histogram\n");
        new TreeMap<>(httpSeconds).forEach((labels, h) -> h.write(out, "mqi_http_request_seconds", labels));
        return out.toString();
    }

    private interface Value {
        long of(MessageCounts c);
    }

    private static void series(StringBuilder out, String name, String type, String help, Map<String, MessageCounts> series,
            Value value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(' ').append(type)
                .append('\n');
        series.forEach((labels, c) -> out.append(name).append('{').append(labels).append("} ").append(value.of(c)).append('\n'));
    }
}
