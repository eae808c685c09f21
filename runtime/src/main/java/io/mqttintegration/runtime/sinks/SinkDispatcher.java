package io.mqttintegration.runtime.sinks;

import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.config.SinksConfig;
import io.mqttintegration.runtime.integrations.SealedSecrets;
import io.mqttintegration.storage.sinks.OutboxEntry;
import io.mqttintegration.storage.sinks.SinkOutbox;
import io.mqttintegration.storage.sinks.SinkRecord;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outboxes of the sinks this node holds. Every {@code leaseSeconds / 3} it renews its
 * leases and takes the sinks no live node holds ({@link SinkOutbox#claim}); for each, a route from
 * its kind's template and a {@link SinkDelivery} that feeds the route the sink's messages (in
 * lanes by device, reading ahead, deleting what was delivered, recording what failed). The
 * database work runs on this dispatcher's own threads and the sends are asynchronous, so one slow
 * or dead sink holds up no other sink and never the ingestion, which only writes the outbox.
 */
public final class SinkDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SinkDispatcher.class);

    /** Headers of each message sent to a sink's route. */
    public static final String SINK_ID = "mqiSinkId";
    public static final String MESSAGE_ID = "mqiMessageId";
    public static final String TOPIC = "mqiTopic";
    public static final String DEVICE_ID = "mqiDeviceId";
    public static final String INTEGRATION_ID = "mqiIntegrationId";
    public static final String RECEIVED_AT = "mqiReceivedAt";
    /** Set for a device presence event only: its type ({@code presence}); a stored message has none. */
    public static final String EVENT = "mqiEvent";
    /** The topic level an event's topic ({@code <device id>/presence}) ends with. */
    public static final String PRESENCE_LEVEL = "presence";
    public static final String CONTENT_TYPE = "Content-Type";

    private final CamelContext context;
    private final SinkOutbox outbox;
    private final SinkRoutes routes;
    private final SinkSignatures signatures;
    private final SealedSecrets secrets;
    private final MeterRegistry registry;
    private final SinksConfig config;
    private final String node;
    private final Clock clock;
    private final Map<UUID, Running> running = new ConcurrentHashMap<>();
    /** The sinks' database work (pages, deletes, failures), blocking JDBC. */
    private final ScheduledExecutorService scheduler;
    /** Each lane's next send once the last one is answered: short, never blocking, never behind a query. */
    private final ExecutorService lanes;
    /** Leases on a thread of their own: stopping a sink waits for its deliveries in flight, which the scheduler's threads finish. */
    private final ScheduledExecutorService leases = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mqtt-integration-sinks-leases");
        t.setDaemon(true);
        return t;
    });
    private volatile ProducerTemplate producer;
    private ScheduledFuture<?> claims;
    private volatile boolean stopping;

    public SinkDispatcher(CamelContext context, SinkOutbox outbox, SinkSignatures signatures, SealedSecrets secrets, MeterRegistry registry,
            SinksConfig config, String node, Clock clock) {
        this.context = context;
        this.outbox = outbox;
        this.routes = new SinkRoutes(context);
        this.signatures = signatures;
        this.secrets = secrets;
        this.registry = registry;
        this.config = config;
        this.node = node;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "mqtt-integration-sinks-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AtomicInteger m = new AtomicInteger();
        this.lanes = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "mqtt-integration-sinks-lanes-" + m.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A sink this node delivers: its record as claimed, the template its route was made from, its figures. */
    private final class Running {
        final SinkRecord sink;
        final RouteTemplateDefinition template;
        final SinkMeters meters;
        final SinkBodies.Format format;
        final SinkDelivery delivery;

        Running(SinkRecord sink, RouteTemplateDefinition template, int concurrency) {
            this.sink = sink;
            this.template = template;
            this.meters = new SinkMeters(registry, clock, sink.id(), sink.organizationId(), sink.kind());
            this.format = SinkBodies.Format.of(sink.body());
            this.delivery = new SinkDelivery(sink.id(), sink.maxAttempts(), format == SinkBodies.Format.READINGS, outbox,
                    e -> send(this, e), meters, config, concurrency, scheduler, lanes);
        }
    }

    public void start() {
        if (!config.enabled()) {
            LOG.info("Sinks are not delivered on this node (sinks.enabled = false)");
            return;
        }
        producer = context.createProducerTemplate();
        long every = Math.max(1, config.leaseSeconds() * 1000L / 3);
        claims = leases.scheduleWithFixedDelay(this::claimQuietly, 0, every, TimeUnit.MILLISECONDS);
    }

    /** The organization of a sink this node delivers now. */
    public Optional<UUID> organizationOf(UUID sinkId) {
        Running r = running.get(sinkId);
        return r == null ? Optional.empty() : Optional.of(r.sink.organizationId());
    }

    /** The sinks this node delivers now. */
    public Set<UUID> delivering() {
        return Collections.unmodifiableSet(new HashSet<>(running.keySet()));
    }

    private void claimQuietly() {
        try {
            claim();
        } catch (RuntimeException e) {
            LOG.warn("Sinks: could not renew this node's leases ({}); trying again shortly", e.toString());
        }
    }

    /**
     * Renews the leases, starts what is new or changed (settings, template), stops what is gone. The
     * API calls it after it changed a sink, so that this node follows the change before it answers
     * (the other nodes at their next claim, within a third of the lease); a node that does not deliver
     * (not started, or {@code sinks.enabled = false}) does nothing.
     *
     * @throws RuntimeException the database did not answer (the next periodic claim tries again)
     */
    public synchronized void claim() {
        if (stopping || producer == null) {
            return;
        }
        Map<UUID, SinkRecord> mine = new LinkedHashMap<>();
        for (SinkRecord s : outbox.claim(node, Duration.ofSeconds(config.leaseSeconds()), config.perNode())) {
            mine.put(s.id(), s);
        }
        for (UUID id : new ArrayList<>(running.keySet())) {
            Running r = running.get(id);
            SinkRecord now = mine.get(id);
            if (now == null || !Objects.equals(now.updatedAt(), r.sink.updatedAt()) || routes.template(r.sink.kind()) != r.template) {
                stop(r);
            }
        }
        for (SinkRecord s : mine.values()) {
            if (!running.containsKey(s.id())) {
                startSink(s);
            }
        }
    }

    private void startSink(SinkRecord s) {
        try {
            RouteTemplateDefinition template = routes.template(s.kind());
            Map<String, String> settings = settings(s, secrets);
            String secret = settings.get(SinkSignatures.SECRET);
            if (secret != null) {
                signatures.put(s.id(), secret);
            }
            routes.add(s.id(), SinkRoutes.routeId(s.id()), s.kind(), settings);
            Running r = new Running(s, template, concurrency(settings, template, config.concurrency()));
            running.put(s.id(), r);
            r.delivery.start();
            LOG.info("Sink {} ({}, {}) delivered by this node", s.id(), s.kind(), s.name());
        } catch (Exception e) {
            LOG.warn("Sink {} ({}) cannot be delivered: {}", s.id(), s.kind(), describeAll(e));
        }
    }

    /**
     * The sink's deliveries in flight at once: its setting {@value SinkKinds#CONCURRENCY}, else its
     * template's default for it, else {@code sinks.concurrency} (the API checks a sink's own value;
     * a template's that is no whole number from 1 to {@value SinkKinds#MAX_CONCURRENCY} is not used).
     */
    static int concurrency(Map<String, String> settings, RouteTemplateDefinition template, int fallback) {
        String value = settings.get(SinkKinds.CONCURRENCY);
        if (value == null && template != null && template.getTemplateParameters() != null) {
            value = template.getTemplateParameters().stream().filter(p -> SinkKinds.CONCURRENCY.equals(p.getName()))
                    .map(RouteTemplateParameterDefinition::getDefaultValue).filter(Objects::nonNull).findFirst().orElse(null);
        }
        return SinkKinds.concurrency(value).orElse(fallback);
    }

    /** The template's parameters of a sink: its settings and its opened secrets. */
    static Map<String, String> settings(SinkRecord s, SealedSecrets secrets) throws IOException {
        Map<String, String> all = new LinkedHashMap<>();
        Json.strict().readTree(s.settingsJson()).fields().forEachRemaining(e -> all.put(e.getKey(),
                e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        if (s.sealedSecrets() != null) {
            all.putAll(secrets.open(s.sealedSecrets(), s.organizationId()));
        }
        return all;
    }

    private void stop(Running r) {
        running.remove(r.sink.id(), r);
        r.delivery.stop(Duration.ofMillis(config.timeoutMillis() + 5_000L));
        try {
            routes.remove(SinkRoutes.routeId(r.sink.id()));
        } catch (Exception e) {
            LOG.warn("Sink {}: its route could not be removed: {}", r.sink.id(), e.toString());
        }
        signatures.remove(r.sink.id());
        r.meters.close();
    }

    /** One message to the sink's route; fails when the route's exchange failed or took longer than sinks.timeoutMillis. */
    private CompletableFuture<Exchange> send(Running r, OutboxEntry e) {
        return producer.asyncSend(SinkRoutes.endpoint(r.sink.id()), exchange(context, r.sink.id(), r.format, e))
                .orTimeout(config.timeoutMillis(), TimeUnit.MILLISECONDS).thenApply(exchange -> {
                    if (exchange.getException() != null) {
                        throw new java.util.concurrent.CompletionException(exchange.getException());
                    }
                    return exchange;
                });
    }

    /**
     * The exchange a sink's route gets for one message: its body as the sink renders it, and the
     * headers above. A presence event has no topic of its own: its topic is {@code <device id>/presence}
     * (what an MQTT sink's {@code ${header.mqiTopic}} gives, so that {@code forwarded/${header.mqiTopic}}
     * puts it beside the device's data), its message id the transition's, its receive time the
     * transition's, and header {@value #EVENT} says that it is one.
     */
    static Exchange exchange(CamelContext context, UUID sinkId, SinkBodies.Format format, OutboxEntry e) {
        SinkBodies.Body body = SinkBodies.render(format, e);
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(body.bytes());
        exchange.getMessage().setHeader(CONTENT_TYPE, body.contentType());
        exchange.getMessage().setHeader(SINK_ID, sinkId.toString());
        exchange.getMessage().setHeader(MESSAGE_ID, e.messageId().toString());
        exchange.getMessage().setHeader(INTEGRATION_ID, e.integrationId().toString());
        if (e.event()) {
            exchange.getMessage().setHeader(TOPIC, e.deviceId() + "/" + PRESENCE_LEVEL);
            exchange.getMessage().setHeader(EVENT, PRESENCE_LEVEL);
        } else {
            exchange.getMessage().setHeader(TOPIC, e.topic());
        }
        exchange.getMessage().setHeader(RECEIVED_AT, e.receivedAt().toInstant().toString());
        if (e.deviceId() != null) {
            exchange.getMessage().setHeader(DEVICE_ID, e.deviceId());
        }
        return exchange;
    }

    /** Every cause's message, outermost first: a route that fails to start hides the reason in its causes. */
    static String describeAll(Throwable t) {
        StringBuilder text = new StringBuilder(String.valueOf(t.getMessage()));
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            text.append(" <- ").append(c.getMessage());
        }
        return text.toString();
    }

    static String describe(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null && cause != cause.getCause()
                && (cause instanceof java.util.concurrent.CompletionException || cause.getMessage() == null)) {
            cause = cause.getCause();
        }
        String text = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return text.length() > 500 ? text.substring(0, 500) : text;
    }

    /** Stops every sink's delivery (what is in flight finishes), removes their routes, and lets go of the leases. */
    @Override
    public void close() {
        stopping = true;
        if (claims != null) {
            claims.cancel(false);
        }
        leases.shutdown();
        try {
            leases.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            new ArrayList<>(running.values()).forEach(this::stop);
        }
        scheduler.shutdown();
        lanes.shutdown();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
            lanes.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (config.enabled()) {
            try {
                outbox.releaseAll(node);
            } catch (RuntimeException e) {
                LOG.warn("Sinks: leases not released ({}); they expire within {} s", e.toString(), config.leaseSeconds());
            }
        }
        if (producer != null) {
            try {
                producer.close();
            } catch (Exception e) {
                LOG.debug("closing the sinks' producer: {}", e.toString());
            }
        }
    }
}
