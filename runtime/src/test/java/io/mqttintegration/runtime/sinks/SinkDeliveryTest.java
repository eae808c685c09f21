package io.mqttintegration.runtime.sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Reading;
import io.mqttintegration.runtime.config.SinksConfig;
import io.mqttintegration.storage.DeadLetterStore;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.MessageWriter;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.sinks.OutboxEntry;
import io.mqttintegration.storage.sinks.SinkOutbox;
import io.mqttintegration.storage.sinks.SinkRecord;
import io.mqttintegration.storage.sinks.SinkStore;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.OrganizationStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One sink's delivery pipeline on a real PostgreSQL outbox, with a receiver in this test (a function
 * that answers after a random delay, and refuses some deliveries): read ahead in small pages, lanes by
 * device, failures retried. Whatever the interleaving, each device's messages are taken in order,
 * every one exactly once, and the outbox ends empty.
 */
class SinkDeliveryTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

    private DataSource ds;
    private Tenancy tenancy;
    private SinkOutbox outbox;
    private MessageWriter writer;
    private UUID org;
    private UUID integration;
    private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(2);
    private final ScheduledExecutorService receiverThreads = Executors.newScheduledThreadPool(4);
    private final java.util.concurrent.ExecutorService laneThreads = Executors.newFixedThreadPool(2);

    @BeforeEach
    void setUp() {
        // Pooled as in Karaf: the delivery makes a query per page, failure and batch of deletes.
        HikariConfig pool = new HikariConfig();
        pool.setDataSource(TestDatabase.newDatabase());
        pool.setMaximumPoolSize(4);
        ds = new HikariDataSource(pool);
        SchemaMigrations.apply(ds);
        tenancy = new Tenancy(ds);
        outbox = new SinkOutbox(tenancy);
        writer = new MessageWriter(ds, new DeadLetterStore(ds));
        org = new OrganizationStore(tenancy).create("acme").id();
        integration = MessageIds.next();
        tenancy.inOrg(org, c -> new IntegrationStore(tenancy).insert(c,
                new IntegrationRecord(integration, org, "i", "mqtt", "{}", null, true, null, null)));
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        receiverThreads.shutdownNow();
        laneThreads.shutdownNow();
        ((HikariDataSource) ds).close();
    }

    private SinkRecord sink(int maxAttempts) {
        SinkRecord s = new SinkRecord(MessageIds.next(), org, integration, "hook", "webhook", "{\"url\":\"https://example.com/in\"}",
                null, "#", null, "raw", false, maxAttempts, null, null);
        return tenancy.inOrg(org, c -> new SinkStore(tenancy).insert(c, s));
    }

    /** Messages 0..count-1, device d(n % devices), stored in batches as the writer stores them. */
    private void store(int count, int devices) {
        List<InboundMessage> batch = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            InboundMessage m = new InboundMessage(InboundMessage.Source.HTTP, "site/telemetry",
                    ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8), "application/json", NOW.plusMillis(n), org, integration, null);
            m.parsed(List.of(new Reading("d" + (n % devices), NOW.plusMillis(n), Map.of("n", n))));
            batch.add(m);
            if (batch.size() == 250) {
                writer.write(batch);
                batch = new ArrayList<>();
            }
        }
        writer.write(batch);
    }

    private static int number(OutboxEntry e) {
        return Integer.parseInt(new String(e.payload(), StandardCharsets.UTF_8).replaceAll("\\D", ""));
    }

    private static SinksConfig config(int pageSize, int lanes) {
        return new SinksConfig(true, 20, 30, 100, pageSize, lanes, 1_000_000, 10, 1, 5_000);
    }

    private long backlog(UUID sinkId) {
        return new SinkStore(tenancy).backlog(org, sinkId).messages();
    }

    @Test
    void eachDevicesMessagesArriveInOrderExactlyOnceThoughAFifthOfTheDeliveriesFail() throws Exception {
        int count = 2_000;
        int devices = 30;
        SinkRecord sink = sink(1_000);
        store(count, devices);
        Map<String, List<Integer>> received = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        Random random = new Random(7);
        SinkDelivery.Sender receiver = e -> {
            CompletableFuture<Void> answer = new CompletableFuture<>();
            boolean refuse;
            long delay;
            synchronized (random) {
                refuse = random.nextInt(5) == 0;
                delay = random.nextInt(3);
            }
            receiverThreads.schedule(() -> {
                if (refuse) {
                    refused.incrementAndGet();
                    answer.completeExceptionally(new IllegalStateException("503 from the receiver"));
                } else {
                    received.computeIfAbsent(e.deviceId(), d -> java.util.Collections.synchronizedList(new ArrayList<>())).add(number(e));
                    answer.complete(null);
                }
            }, delay, TimeUnit.MILLISECONDS);
            return answer;
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SinkMeters meters = new SinkMeters(registry, Clock.systemUTC(), sink.id(), org, "webhook");
        // Pages of 50 in 8 lanes: the pipeline reads ahead many times while deliveries and retries are in flight.
        SinkDelivery delivery = new SinkDelivery(sink.id(), sink.maxAttempts(), false, outbox, receiver, meters, config(50, 8), 8, threads, laneThreads);
        delivery.start();
        await(Duration.ofSeconds(120), () -> received.values().stream().mapToInt(List::size).sum() >= count && backlog(sink.id()) == 0);
        delivery.stop(Duration.ofSeconds(10));

        System.out.printf("%d messages of %d devices delivered, %d deliveries refused and retried%n", count, devices, refused.get());
        assertTrue(refused.get() > count / 10, "the receiver refused a share of the deliveries: " + refused.get());
        Map<String, List<Integer>> expected = new TreeMap<>();
        for (int n = 0; n < count; n++) {
            expected.computeIfAbsent("d" + (n % devices), d -> new ArrayList<>()).add(n);
        }
        assertEquals(expected, new TreeMap<>(received), "each device's messages, in order, each once");
        assertEquals(0, backlog(sink.id()));
        assertEquals(count, registry.get("mqi.sink.delivered").counter().count());
    }

    @Test
    void aDeviceTheReceiverAlwaysRefusesEndsInDeadLettersAndHoldsUpNoOtherDevice() throws Exception {
        SinkRecord sink = sink(3);
        store(400, 4);
        Map<String, List<Integer>> received = new ConcurrentHashMap<>();
        SinkDelivery.Sender receiver = e -> {
            if ("d3".equals(e.deviceId())) {
                return CompletableFuture.failedFuture(new IllegalStateException("500 from the receiver"));
            }
            received.computeIfAbsent(e.deviceId(), d -> java.util.Collections.synchronizedList(new ArrayList<>())).add(number(e));
            return CompletableFuture.completedFuture(null);
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SinkMeters meters = new SinkMeters(registry, Clock.systemUTC(), sink.id(), org, "webhook");
        SinkDelivery delivery = new SinkDelivery(sink.id(), sink.maxAttempts(), false, outbox, receiver, meters, config(40, 4), 4, threads, laneThreads);
        delivery.start();
        await(Duration.ofSeconds(120), () -> backlog(sink.id()) == 0);
        delivery.stop(Duration.ofSeconds(10));

        for (String device : List.of("d0", "d1", "d2")) {
            assertEquals(100, received.get(device).size(), device);
            List<Integer> sorted = new ArrayList<>(received.get(device));
            sorted.sort(null);
            assertEquals(sorted, received.get(device), device + " in order");
        }
        assertEquals(null, received.get("d3"));
        assertEquals(100, registry.get("mqi.sink.dead.lettered").counter().count(), "d3's messages, each after 3 attempts");
        assertEquals(300, registry.get("mqi.sink.failed").counter().count());
    }

    @Test
    void stoppingLeavesWhatWasNotDeliveredInTheOutboxForTheNextDeliverer() throws Exception {
        SinkRecord sink = sink(10);
        store(200, 2);
        AtomicInteger taken = new AtomicInteger();
        CompletableFuture<Void> never = new CompletableFuture<>();
        SinkDelivery.Sender receiver = e -> taken.incrementAndGet() <= 50 ? CompletableFuture.completedFuture(null)
                : CompletableFuture.runAsync(() -> never.join(), receiverThreads);
        SinkMeters meters = new SinkMeters(new SimpleMeterRegistry(), Clock.systemUTC(), sink.id(), org, "webhook");
        SinkDelivery delivery = new SinkDelivery(sink.id(), sink.maxAttempts(), false, outbox, receiver, meters, config(100, 2), 2, threads, laneThreads);
        delivery.start();
        await(Duration.ofSeconds(60), () -> taken.get() >= 52);
        never.complete(null); // the two deliveries in flight are answered while the delivery stops
        delivery.stop(Duration.ofSeconds(10));
        long left = backlog(sink.id());
        System.out.printf("taken %d, left in the outbox %d%n", taken.get(), left);
        assertEquals(200 - taken.get(), left, "what the receiver took left the outbox, nothing else did");
    }

    static void await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
