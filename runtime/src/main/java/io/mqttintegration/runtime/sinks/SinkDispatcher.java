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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outboxes of the sinks this node holds. Every {@code leaseSeconds / 3} it renews its
 * leases and takes the sinks no live node holds ({@link SinkOutbox#claim}); for each, a route from
 * its kind's template, and rounds: take the next page of the outbox (in order, due, a device behind
 * its waiting message held back), send each message to the sink's route, then delete what was
 * delivered and record what failed: tried again after a jittered, doubling delay, or, at the sink's
 * {@code maxAttempts}, made a dead letter. A page's messages go out {@code concurrency} at a time, one
 * device's one after another (a device's messages stay in one lane), and the next page starts when
 * the page is done, so a device's messages are delivered in order. A round waits for no receiver on
 * a thread: the sends are asynchronous and the database work runs on this dispatcher's own threads,
 * so one slow or dead sink holds up no other sink and never the ingestion, which only writes the outbox.
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
    private final ScheduledExecutorService scheduler;
    /** Leases on a thread of their own: stopping a sink waits for its round, which the scheduler's threads finish. */
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
    }

    /** A sink this node delivers: its record as claimed, the template its route was made from, its figures. */
    private final class Running {
        final SinkRecord sink;
        final RouteTemplateDefinition template;
        final SinkMeters meters;
        final SinkBodies.Format format;
        volatile boolean stopped;
        volatile CompletableFuture<Void> round = CompletableFuture.completedFuture(null);
        volatile long nextBoundCheck;

        Running(SinkRecord sink, RouteTemplateDefinition template) {
            this.sink = sink;
            this.template = template;
            this.meters = new SinkMeters(registry, clock, sink.id(), sink.organizationId(), sink.kind());
            this.format = SinkBodies.Format.of(sink.body());
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
            Running r = new Running(s, template);
            running.put(s.id(), r);
            schedule(r, 0);
            LOG.info("Sink {} ({}, {}) delivered by this node", s.id(), s.kind(), s.name());
        } catch (Exception e) {
            LOG.warn("Sink {} ({}) cannot be delivered: {}", s.id(), s.kind(), describeAll(e));
        }
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
        r.stopped = true;
        running.remove(r.sink.id(), r);
        try {
            r.round.get(config.timeoutMillis() + 5_000L, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.debug("sink {}: its last round did not end cleanly: {}", r.sink.id(), e.toString());
        }
        try {
            routes.remove(SinkRoutes.routeId(r.sink.id()));
        } catch (Exception e) {
            LOG.warn("Sink {}: its route could not be removed: {}", r.sink.id(), e.toString());
        }
        signatures.remove(r.sink.id());
        r.meters.close();
    }

    private void schedule(Running r, long delayMillis) {
        if (r.stopped || stopping) {
            return;
        }
        scheduler.schedule(() -> round(r), delayMillis, TimeUnit.MILLISECONDS);
    }

    /** One round: a page of the outbox, delivered; the next round at once when the page was full. */
    private void round(Running r) {
        if (r.stopped || stopping) {
            return;
        }
        List<OutboxEntry> page;
        try {
            bound(r);
            page = outbox.next(r.sink.id(), config.pageSize(), r.format == SinkBodies.Format.READINGS);
        } catch (RuntimeException e) {
            LOG.warn("Sink {}: its outbox could not be read ({}); trying again shortly", r.sink.id(), e.toString());
            schedule(r, config.pollMillis() * 10L);
            return;
        }
        if (page.isEmpty()) {
            schedule(r, config.pollMillis());
            return;
        }
        CompletableFuture<Void> done = deliver(r, page);
        r.round = done;
        done.whenCompleteAsync((ok, e) -> {
            if (e != null) {
                LOG.warn("Sink {}: a round ended with {}", r.sink.id(), e.toString());
            }
            schedule(r, page.size() < config.pageSize() ? config.pollMillis() : 0);
        }, scheduler);
    }

    private void bound(Running r) {
        long now = System.nanoTime();
        if (now - r.nextBoundCheck < 0) {
            return;
        }
        r.nextBoundCheck = now + TimeUnit.SECONDS.toNanos(10);
        SinkOutbox.Bounded b = outbox.bound(r.sink.id(), config.backlogLimit());
        if (b.deadLettered() > 0) {
            r.meters.deadLettered(b.deadLettered());
            LOG.warn("Sink {}: {} messages over the backlog bound of {} became dead letters", r.sink.id(), b.deadLettered(),
                    config.backlogLimit());
        }
        r.meters.backlog(b.backlog().messages(), b.backlog().oldestReceivedAt());
    }

    /** Sends a page: lanes of one device each at most, {@code concurrency} lanes at once; records the outcomes. */
    private CompletableFuture<Void> deliver(Running r, List<OutboxEntry> page) {
        int lanes = Math.max(1, config.concurrency());
        List<List<OutboxEntry>> byLane = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            byLane.add(new ArrayList<>());
        }
        for (OutboxEntry e : page) {
            byLane.get(Math.floorMod(Objects.hashCode(e.deviceId()), lanes)).add(e);
        }
        List<Long> delivered = Collections.synchronizedList(new ArrayList<>());
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (List<OutboxEntry> lane : byLane) {
            if (!lane.isEmpty()) {
                all.add(lane(r, lane, 0, new HashSet<>(), delivered));
            }
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenRunAsync(() -> {
            List<Long> seqs = new ArrayList<>(delivered);
            outbox.delivered(r.sink.id(), seqs);
            r.meters.delivered(seqs.size());
        }, scheduler);
    }

    /** The lane's messages from {@code i} on, one after another; a device whose message failed sends no more in this page. */
    private CompletableFuture<Void> lane(Running r, List<OutboxEntry> lane, int i, Set<String> failedDevices, List<Long> delivered) {
        while (i < lane.size() && failedDevices.contains(String.valueOf(lane.get(i).deviceId()))) {
            i++;
        }
        if (i >= lane.size() || r.stopped) {
            return CompletableFuture.completedFuture(null);
        }
        OutboxEntry e = lane.get(i);
        int next = i + 1;
        if (e.purged()) {
            return CompletableFuture.runAsync(() -> {
                r.meters.deadLettered(outbox.deadLetter(r.sink.id(), List.of(e.seq()), "the message is no longer stored (retention)"));
            }, scheduler).thenCompose(x -> lane(r, lane, next, failedDevices, delivered));
        }
        return send(r, e).handleAsync((exchange, error) -> {
            Throwable failure = error != null ? error : exchange.getException();
            if (failure == null) {
                delivered.add(e.seq());
            } else {
                failedDevices.add(String.valueOf(e.deviceId()));
                failed(r, e, failure);
            }
            return null;
        }, scheduler).thenCompose(x -> lane(r, lane, next, failedDevices, delivered));
    }

    private CompletableFuture<Exchange> send(Running r, OutboxEntry e) {
        return producer.asyncSend(SinkRoutes.endpoint(r.sink.id()), exchange(context, r.sink.id(), r.format, e))
                .orTimeout(config.timeoutMillis(), TimeUnit.MILLISECONDS);
    }

    /** The exchange a sink's route gets for one message: its body as the sink renders it, and the headers above. */
    static Exchange exchange(CamelContext context, UUID sinkId, SinkBodies.Format format, OutboxEntry e) {
        SinkBodies.Body body = SinkBodies.render(format, e);
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(body.bytes());
        exchange.getMessage().setHeader(CONTENT_TYPE, body.contentType());
        exchange.getMessage().setHeader(SINK_ID, sinkId.toString());
        exchange.getMessage().setHeader(MESSAGE_ID, e.messageId().toString());
        exchange.getMessage().setHeader(INTEGRATION_ID, e.integrationId().toString());
        exchange.getMessage().setHeader(TOPIC, e.topic());
        exchange.getMessage().setHeader(RECEIVED_AT, e.receivedAt().toInstant().toString());
        if (e.deviceId() != null) {
            exchange.getMessage().setHeader(DEVICE_ID, e.deviceId());
        }
        return exchange;
    }

    private void failed(Running r, OutboxEntry e, Throwable failure) {
        r.meters.failed();
        String error = describe(failure);
        int attempts = e.attempts() + 1;
        if (attempts >= r.sink.maxAttempts()) {
            r.meters.deadLettered(outbox.deadLetter(r.sink.id(), List.of(e.seq()), error + " (after " + attempts + " attempts)"));
        } else {
            outbox.retryLater(r.sink.id(), e.seq(), backoff(attempts), error);
        }
    }

    /** Doubling from sinks.retryBaseMillis up to sinks.retryMaxSeconds, each between half and all of it. */
    Duration backoff(int attempts) {
        long max = config.retryMaxSeconds() * 1000L;
        long full = Math.min(max, config.retryBaseMillis() * (1L << Math.min(30, attempts - 1)));
        return Duration.ofMillis(full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1));
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

    /** Stops every sink's rounds (each finishes its page), removes their routes, and lets go of the leases. */
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
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
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
