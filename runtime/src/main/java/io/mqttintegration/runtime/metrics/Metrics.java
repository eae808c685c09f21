package io.mqttintegration.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mqttintegration.runtime.auth.Principal;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.StoreOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Exchange;

/**
 * Bean {@code metrics}: the service's meters in a Micrometer Prometheus registry, written in
 * Prometheus text format at {@code GET /metrics} (operator key). Messages are counted per source and
 * integration from the moment the pipeline takes them ({@link #received}) to their outcome, so that
 * at any time {@code received = stored + dead_lettered + failed + in_flight + dropped} (dropped stays
 * 0: no path drops a message it took). Also the queue, batch sizes and commit times, subscription
 * states, HTTP requests by route and status with their latencies, the exchanges of each Camel route
 * ({@link RouteMetrics}), and the JVM's own meters (memory, GC, threads, classes, CPU, uptime).
 */
public final class Metrics implements AutoCloseable {

    private static final double[] BATCH_BUCKETS = {1, 5, 10, 50, 100, 250, 500, 1000, 5000};
    private static final Duration[] COMMIT_BUCKETS = millis(1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000);
    private static final Duration[] HTTP_BUCKETS = millis(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000);

    /** What happened to messages of one source and integration. */
    private static final class MessageCounts {
        final Counter received;
        final Counter stored;
        final Counter deadLettered;
        final Counter failed;

        MessageCounts(PrometheusMeterRegistry registry, Tags tags) {
            received = Counter.builder("mqi.messages.received").description("Messages the pipeline took, by source and integration.")
                    .tags(tags).register(registry);
            stored = Counter.builder("mqi.messages.stored").description("Messages committed to mqtt_messages.").tags(tags)
                    .register(registry);
            deadLettered = Counter.builder("mqi.messages.dead_lettered").description("Messages PostgreSQL refused, kept in dead_letters.")
                    .tags(tags).register(registry);
            failed = Counter.builder("mqi.messages.failed")
                    .description("Messages not stored (database unavailable): their sender retries.").tags(tags).register(registry);
            Gauge.builder("mqi.messages.in_flight", this, MessageCounts::inFlight)
                    .description("Messages taken and not yet stored, dead-lettered or failed.").tags(tags).register(registry);
        }

        double inFlight() {
            return received.count() - stored.count() - deadLettered.count() - failed.count();
        }
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, MessageCounts> messages = new ConcurrentHashMap<>();
    private final Map<String, Counter> httpRequests = new ConcurrentHashMap<>();
    private final Map<String, Timer> httpSeconds = new ConcurrentHashMap<>();
    private final DistributionSummary batchSize;
    private final Timer commitSeconds;
    /** Run before each scrape: meters of other areas that read a snapshot (subscription states). */
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();

    /**
     * The pipeline's and the JVM's meters. Each area binds its own into {@link #registry()} (the
     * ingestion queue, the subscriptions, the hosted broker, storage).
     */
    public Metrics() {
        Counter.builder("mqi.messages.dropped").description("Messages taken and then lost: no path does this.").register(registry);
        batchSize = DistributionSummary.builder("mqi.batch.size").description("Messages per committed batch.")
                .serviceLevelObjectives(BATCH_BUCKETS).register(registry);
        commitSeconds = Timer.builder("mqi.commit").description("Time to insert and commit one batch.")
                .serviceLevelObjectives(COMMIT_BUCKETS).register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Pipeline step: the message is taken; its outcome is counted when it completes. */
    public InboundMessage received(InboundMessage message) {
        String source = message.source().name().toLowerCase(Locale.ROOT);
        String integration = message.integrationId() == null ? "" : message.integrationId().toString();
        MessageCounts counts = messages.computeIfAbsent(source + '|' + integration,
                k -> new MessageCounts(registry, Tags.of("source", source, "integration", integration)));
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
        batchSize.record(size);
        commitSeconds.record(commitMillis, TimeUnit.MILLISECONDS);
    }

    /** A finished HTTP exchange of a platform-http route. */
    public void httpRequest(String routeId, int status, long millis) {
        httpRequests.computeIfAbsent(routeId + '|' + status, k -> Counter.builder("mqi.http.requests")
                .description("HTTP requests by route and status.").tags("route", routeId, "status", Integer.toString(status))
                .register(registry)).increment();
        httpSeconds.computeIfAbsent(routeId, k -> Timer.builder("mqi.http.request").description("HTTP request latency by route.")
                .tags("route", routeId).serviceLevelObjectives(HTTP_BUCKETS).register(registry)).record(millis, TimeUnit.MILLISECONDS);
    }

    /** The registry {@code GET /metrics} writes; Camel's route meters ({@link RouteMetrics}) go into it too. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Messages taken by the pipeline and not yet stored, dead-lettered or failed (every source). */
    public long inFlight() {
        double n = 0;
        for (MessageCounts c : messages.values()) {
            n += c.inFlight();
        }
        return (long) n;
    }

    /** Committed batches since start. */
    public long batches() {
        return batchSize.count();
    }

    /** Mean messages per committed batch (0 before the first). */
    public double meanBatchSize() {
        return batchSize.mean();
    }

    /** GET /metrics: operator only. */
    public String render(Exchange exchange) {
        exchange.getProperty(Principal.PROPERTY, Principal.class).requireOperator();
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        return render();
    }

    /** Runs {@code refresh} before each scrape (meters that read a snapshot, such as subscription states). */
    public void beforeScrape(Runnable refresh) {
        beforeScrape.add(refresh);
    }

    /** The scrape. */
    public synchronized String render() {
        beforeScrape.forEach(Runnable::run);
        return registry.scrape();
    }

    /** Stops the GC listener the JVM meters registered. */
    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    private static Duration[] millis(double... values) {
        Duration[] d = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = Duration.ofNanos((long) (values[i] * 1_000_000));
        }
        return d;
    }
}
