package io.mqttintegration.runtime.ingest;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The ingestion queue's meters, bound by the area that owns the queue (GET /metrics). */
public final class IngestMeters {

    private IngestMeters() {
    }

    public static void bind(MeterRegistry registry, IngestQueue queue) {
        Gauge.builder("mqi.ingest.queue.depth", queue, IngestQueue::depth).description("Messages waiting in the ingestion queue.")
                .register(registry);
        Gauge.builder("mqi.ingest.queue.capacity", queue, IngestQueue::capacity).description("Capacity of the ingestion queue.")
                .register(registry);
        FunctionCounter.builder("mqi.ingest.queue.waits", queue, IngestQueue::waited)
                .description("Subscription messages that waited for room in the queue (flow control: their client read nothing meanwhile).")
                .register(registry);
    }
}
