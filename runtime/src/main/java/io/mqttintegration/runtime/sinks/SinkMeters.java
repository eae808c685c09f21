package io.mqttintegration.runtime.sinks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A sink's figures in {@code /metrics}, tagged with the sink, its organization and kind, there while
 * this node delivers it: {@code mqi_sink_delivered_total}, {@code mqi_sink_failed_total} (deliveries
 * that failed, each retried or dead-lettered), {@code mqi_sink_dead_lettered_total},
 * {@code mqi_sink_backlog_messages} and {@code mqi_sink_backlog_oldest_seconds} (the age of the oldest
 * message not delivered, as of the last look at the backlog).
 */
final class SinkMeters implements AutoCloseable {

    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter delivered;
    private final Counter failed;
    private final Counter deadLettered;
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicReference<Instant> oldest = new AtomicReference<>();
    private final List<Meter> meters = new ArrayList<>();

    SinkMeters(MeterRegistry registry, Clock clock, UUID sinkId, UUID organizationId, String kind) {
        this.registry = registry;
        this.clock = clock;
        Tags tags = Tags.of("sink", sinkId.toString(), "organization", organizationId.toString(), "kind", kind);
        delivered = add(Counter.builder("mqi.sink.delivered").description("Messages a sink's receiver took.").tags(tags).register(registry));
        failed = add(Counter.builder("mqi.sink.failed").description("Deliveries that failed (retried later, or dead-lettered).")
                .tags(tags).register(registry));
        deadLettered = add(Counter.builder("mqi.sink.dead.lettered").description("Messages that became a sink's dead letters.")
                .tags(tags).register(registry));
        add(Gauge.builder("mqi.sink.backlog.messages", backlog, AtomicLong::get).description("Messages in a sink's outbox.")
                .tags(tags).register(registry));
        add(Gauge.builder("mqi.sink.backlog.oldest.seconds", this, SinkMeters::oldestSeconds)
                .description("Age of the oldest message a sink has not delivered.").tags(tags).register(registry));
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    void delivered(int n) {
        delivered.increment(n);
    }

    void failed() {
        failed.increment();
    }

    void deadLettered(int n) {
        deadLettered.increment(n);
    }

    void backlog(long messages, Instant oldestReceivedAt) {
        backlog.set(messages);
        oldest.set(oldestReceivedAt);
    }

    private double oldestSeconds() {
        Instant o = oldest.get();
        return o == null ? 0 : Math.max(0, clock.instant().toEpochMilli() - o.toEpochMilli()) / 1000.0;
    }

    @Override
    public void close() {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
