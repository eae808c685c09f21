package io.mqttintegration.runtime.sinks;

import io.mqttintegration.runtime.integrations.SealedSecrets;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.sinks.OutboxEntry;
import io.mqttintegration.storage.sinks.SinkRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one synthetic message (topic {@value #TOPIC}, payload {@code {"test":true,"at":"<now>"}}) to a
 * sink's receiver, as the dispatcher would send a stored one (the sink's body format, its headers,
 * signed with its secret), through a route of its own made from the sink's template with the sink's
 * settings: never through the sink's outbox or its route. The route's id is
 * {@code sink-test-<probe id>} and its endpoint {@code direct:sink-<probe id>} for a fresh random
 * probe id, so it meets no sink's route (those are {@code sink-<sink id>}); the receiver sees the
 * probe id as {@code X-MQI-Sink-Id}. The route goes when the test ends, whatever the outcome.
 */
public final class SinkTester {

    private static final Logger LOG = LoggerFactory.getLogger(SinkTester.class);

    /** The topic of the test message. */
    public static final String TOPIC = "mqi/test";
    /** Route ids of test routes start with this. */
    public static final String ROUTE_PREFIX = SinkKinds.PREFIX + "test-";

    /** What a test found: the receiver took the message or not, in how long, and why not. */
    public record Result(boolean ok, long latencyMs, String error) {
    }

    private final CamelContext context;
    private final SinkRoutes routes;
    private final SinkSignatures signatures;
    private final SealedSecrets secrets;
    private final SinkMqttPublisher mqtt;
    private final int timeoutMillis;
    private final Clock clock;

    /** @param timeoutMillis how long the receiver has to answer ({@code sinks.timeoutMillis}, as for a delivery) */
    public SinkTester(CamelContext context, SinkSignatures signatures, SealedSecrets secrets, SinkMqttPublisher mqtt, int timeoutMillis,
            Clock clock) {
        this.context = context;
        this.routes = new SinkRoutes(context);
        this.signatures = signatures;
        this.secrets = secrets;
        this.mqtt = mqtt;
        this.timeoutMillis = timeoutMillis;
        this.clock = clock;
    }

    public Result test(SinkRecord sink) {
        UUID probe = UUID.randomUUID();
        String routeId = ROUTE_PREFIX + probe;
        long start = System.nanoTime();
        try (ProducerTemplate producer = context.createProducerTemplate()) {
            Map<String, String> settings = SinkDispatcher.settings(sink, secrets);
            String secret = settings.get(SinkSignatures.SECRET);
            if (secret != null) {
                signatures.put(probe, secret);
            }
            mqtt.probe(probe, sink.organizationId());
            routes.add(probe, routeId, sink.kind(), settings);
            Exchange exchange = SinkDispatcher.exchange(context, probe, SinkBodies.Format.of(sink.body()), message(sink));
            start = System.nanoTime();
            Exchange done = producer.asyncSend(SinkRoutes.endpoint(probe), exchange).get(timeoutMillis, TimeUnit.MILLISECONDS);
            long ms = elapsed(start);
            return done.getException() == null ? new Result(true, ms, null)
                    : new Result(false, ms, SinkDispatcher.describe(done.getException()));
        } catch (TimeoutException e) {
            return new Result(false, elapsed(start), "no answer within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, elapsed(start), "interrupted");
        } catch (Exception e) {
            return new Result(false, elapsed(start), SinkDispatcher.describe(e));
        } finally {
            try {
                routes.remove(routeId);
            } catch (Exception e) {
                LOG.warn("Sink {}: the test route {} could not be removed: {}", sink.id(), routeId, e.toString());
            }
            signatures.remove(probe);
            mqtt.unprobe(probe);
        }
    }

    /** The test message, as if stored now for the sink's integration (no device; no readings, so body readings shows none). */
    private OutboxEntry message(SinkRecord sink) {
        // microseconds, as PostgreSQL keeps a stored message's time
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        byte[] payload = ("{\"test\":true,\"at\":\"" + now.toInstant() + "\"}").getBytes(StandardCharsets.UTF_8);
        return new OutboxEntry(0, MessageIds.next(), now, null, 0, sink.integrationId(), "test", TOPIC, payload, "application/json", null);
    }

    private static long elapsed(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }
}
