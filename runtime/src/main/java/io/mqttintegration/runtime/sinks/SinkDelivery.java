package io.mqttintegration.runtime.sinks;

import io.mqttintegration.runtime.config.SinksConfig;
import io.mqttintegration.storage.sinks.OutboxEntry;
import io.mqttintegration.storage.sinks.SinkOutbox;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery of one sink's outbox on this node, as a pipeline: the outbox is read ahead while
 * earlier messages are still on their way, and what was delivered leaves the outbox in batches.
 * <ul>
 * <li><b>Lanes.</b> Each message goes to one of the sink's concurrency lanes by its device, and a
 * lane sends one message at a time, waiting for the receiver's answer: a device's messages go out in
 * outbox order, different devices' side by side.</li>
 * <li><b>Reading ahead.</b> When the lanes hold at most half a page, the next page is read (in order,
 * due, a device behind its waiting message held back), leaving out the rows this delivery holds
 * already: queued, in flight, or delivered and not yet deleted. A page shorter than
 * {@code sinks.pageSize} means the outbox is read to its end: the next look is after
 * {@code sinks.pollMillis}.</li>
 * <li><b>Delivered</b> messages are deleted from the outbox in batches (half a page, or before the
 * next read); until then they are held, so never read again. A crash in between sends them again (at
 * least once; the receiver recognizes them by message id).</li>
 * <li><b>Failed</b>: the message waits in the outbox for its retry (a jittered, doubling delay) or,
 * at the sink's {@code maxAttempts}, becomes a dead letter; the device's later messages still queued
 * in its lane are let go and read again once they are due. A page read while a failure was being
 * recorded may predate it: that device's messages in it are left for the next read, so a device's
 * later message never overtakes its failed one.</li>
 * </ul>
 * The database work runs on the dispatcher's database threads, a lane's next send on its lane threads
 * (never behind a query), and the sends wait for no receiver on a thread, so a slow or dead sink holds
 * up no other sink and never the ingestion, which only writes the outbox.
 */
final class SinkDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(SinkDelivery.class);

    /** Sends one message to the sink's route; completes exceptionally when the delivery failed. */
    interface Sender {
        CompletableFuture<?> send(OutboxEntry message);
    }

    private final UUID sinkId;
    private final int maxAttempts;
    private final boolean readings;
    private final SinkOutbox outbox;
    private final Sender sender;
    private final SinkMeters meters;
    private final SinksConfig config;
    private final ScheduledExecutorService database;
    private final Executor lanesExecutor;
    private final int pageSize;
    private final int flushAt;

    // Guarded by this.
    private final Set<Long> held = new HashSet<>();
    private final List<ArrayDeque<OutboxEntry>> lanes = new ArrayList<>();
    private final boolean[] busy;
    private final List<Long> delivered = new ArrayList<>();
    private int outstanding;
    private boolean fetching;
    private boolean flushing;
    private boolean more;
    private boolean stopped;
    /** Devices whose failure was being recorded while the current page was read (see {@link #fetch}). */
    private final Set<String> failedWhileReading = new HashSet<>();
    private ScheduledFuture<?> nextFetch;
    private long nextBoundCheck = System.nanoTime();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();

    SinkDelivery(UUID sinkId, int maxAttempts, boolean readings, SinkOutbox outbox, Sender sender, SinkMeters meters,
            SinksConfig config, int concurrency, ScheduledExecutorService database, Executor lanesExecutor) {
        this.sinkId = sinkId;
        this.maxAttempts = maxAttempts;
        this.readings = readings;
        this.outbox = outbox;
        this.sender = sender;
        this.meters = meters;
        this.config = config;
        this.database = database;
        this.lanesExecutor = lanesExecutor;
        this.pageSize = Math.max(1, config.pageSize());
        this.flushAt = Math.max(1, pageSize / 2);
        int n = Math.max(1, concurrency);
        for (int i = 0; i < n; i++) {
            lanes.add(new ArrayDeque<>());
        }
        this.busy = new boolean[n];
    }

    void start() {
        synchronized (this) {
            fetchAfter(0);
        }
    }

    /**
     * Stops taking messages, waits up to {@code timeout} for the ones in flight, and deletes what was
     * delivered. What is still queued stays in the outbox for whoever delivers the sink next.
     */
    void stop(Duration timeout) {
        synchronized (this) {
            stopped = true;
            if (nextFetch != null) {
                nextFetch.cancel(false);
                nextFetch = null;
            }
            for (ArrayDeque<OutboxEntry> lane : lanes) {
                for (OutboxEntry e : lane) {
                    held.remove(e.seq());
                    outstanding--;
                }
                lane.clear();
            }
            checkDrained();
        }
        try {
            drained.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Sink {}: deliveries still in flight after {} ms; they are sent again by whoever delivers it next", sinkId,
                    timeout.toMillis());
        } catch (Exception e) {
            LOG.debug("sink {}: stopping: {}", sinkId, e.toString());
        }
        // A flush may be under way on the dispatcher's threads (one delivered last asked for it): it ends first.
        synchronized (this) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (flushing && System.nanoTime() < deadline) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        flush();
    }

    private void fetchAfter(long millis) {
        if (stopped || fetching || nextFetch != null) {
            return;
        }
        nextFetch = database.schedule(this::fetch, millis, TimeUnit.MILLISECONDS);
    }

    private void fetch() {
        List<Long> excluded;
        synchronized (this) {
            nextFetch = null;
            if (stopped || fetching) {
                return;
            }
            fetching = true;
            failedWhileReading.clear();
        }
        List<OutboxEntry> page;
        try {
            bound();
            flush();
            synchronized (this) {
                excluded = new ArrayList<>(held);
            }
            page = outbox.next(sinkId, pageSize, readings, excluded);
        } catch (RuntimeException e) {
            LOG.warn("Sink {}: its outbox could not be read ({}); trying again shortly", sinkId, e.toString());
            synchronized (this) {
                fetching = false;
                fetchAfter(config.pollMillis() * 10L);
                checkDrained();
            }
            return;
        }
        List<Integer> toStart = new ArrayList<>();
        synchronized (this) {
            fetching = false;
            if (stopped) {
                checkDrained();
                return;
            }
            for (OutboxEntry e : page) {
                // A device whose failure was recorded meanwhile: the page may predate it, its messages must now wait.
                if (!failedWhileReading.contains(device(e)) && held.add(e.seq())) {
                    lanes.get(lane(e)).add(e);
                    outstanding++;
                }
            }
            for (int i = 0; i < lanes.size(); i++) {
                if (!busy[i] && !lanes.get(i).isEmpty()) {
                    busy[i] = true;
                    toStart.add(i);
                }
            }
            more = page.size() >= pageSize;
            if (!more) {
                fetchAfter(config.pollMillis());
            } else if (outstanding <= pageSize / 2) {
                fetchAfter(0);
            }
        }
        toStart.forEach(this::next);
    }

    private static String device(OutboxEntry e) {
        return String.valueOf(e.deviceId());
    }

    private int lane(OutboxEntry e) {
        return Math.floorMod(Objects.hashCode(e.deviceId()), lanes.size());
    }

    /** The lane's next message, sent; the lane goes idle when it has none. */
    private void next(int lane) {
        OutboxEntry e;
        synchronized (this) {
            e = stopped ? null : lanes.get(lane).poll();
            if (e == null) {
                busy[lane] = false;
                checkDrained();
                return;
            }
        }
        if (e.purged()) {
            database.execute(() -> {
                try {
                    meters.deadLettered(outbox.deadLetter(sinkId, List.of(e.seq()), "the message is no longer stored (retention)"));
                } catch (RuntimeException x) {
                    LOG.warn("Sink {}: message {} could not be made a dead letter ({})", sinkId, e.messageId(), x.toString());
                }
                settled(e);
                next(lane);
            });
            return;
        }
        CompletableFuture<?> sent;
        try {
            sent = sender.send(e);
        } catch (RuntimeException x) {
            sent = CompletableFuture.failedFuture(x);
        }
        sent.whenCompleteAsync((ok, failure) -> {
            if (failure == null) {
                delivered(e);
                next(lane);
            } else {
                database.execute(() -> {
                    failed(lane, e, failure);
                    next(lane);
                });
            }
        }, lanesExecutor);
    }

    private void delivered(OutboxEntry e) {
        boolean flush;
        synchronized (this) {
            delivered.add(e.seq());
            outstanding--;
            flush = delivered.size() >= flushAt && !flushing;
            readAheadIfLow();
        }
        if (flush) {
            database.execute(this::flush);
        }
    }

    private void readAheadIfLow() {
        if (more && outstanding <= pageSize / 2) {
            fetchAfter(0);
        }
    }

    /** The failure recorded (retry later, or dead letter); the device's messages queued behind it let go. */
    private void failed(int lane, OutboxEntry e, Throwable failure) {
        meters.failed();
        synchronized (this) {
            failedWhileReading.add(device(e));
        }
        String error = SinkDispatcher.describe(failure);
        int attempts = e.attempts() + 1;
        try {
            if (attempts >= maxAttempts) {
                meters.deadLettered(outbox.deadLetter(sinkId, List.of(e.seq()), error + " (after " + attempts + " attempts)"));
            } else {
                outbox.retryLater(sinkId, e.seq(), backoff(attempts), error);
            }
        } catch (RuntimeException x) {
            LOG.warn("Sink {}: the failed delivery of {} could not be recorded ({}); it is tried again", sinkId, e.messageId(),
                    x.toString());
        }
        synchronized (this) {
            failedWhileReading.add(device(e));
            for (Iterator<OutboxEntry> i = lanes.get(lane).iterator(); i.hasNext();) {
                OutboxEntry later = i.next();
                if (Objects.equals(later.deviceId(), e.deviceId())) {
                    i.remove();
                    held.remove(later.seq());
                    outstanding--;
                }
            }
        }
        settled(e);
    }

    private void settled(OutboxEntry e) {
        synchronized (this) {
            held.remove(e.seq());
            outstanding--;
            readAheadIfLow();
        }
    }

    /** Deletes what was delivered (one batch at a time). */
    private void flush() {
        List<Long> batch;
        synchronized (this) {
            if (flushing || delivered.isEmpty()) {
                return;
            }
            flushing = true;
            batch = new ArrayList<>(delivered);
            delivered.clear();
        }
        boolean deleted = false;
        try {
            outbox.delivered(sinkId, batch);
            deleted = true;
            meters.delivered(batch.size());
        } catch (RuntimeException x) {
            LOG.warn("Sink {}: {} delivered messages could not be deleted from the outbox ({}); trying again", sinkId, batch.size(),
                    x.toString());
        } finally {
            synchronized (this) {
                flushing = false;
                notifyAll();
                if (deleted) {
                    batch.forEach(held::remove);
                } else {
                    delivered.addAll(batch);
                }
                checkDrained();
            }
        }
    }

    private void bound() {
        long now = System.nanoTime();
        if (now - nextBoundCheck < 0) {
            return;
        }
        nextBoundCheck = now + TimeUnit.SECONDS.toNanos(10);
        SinkOutbox.Bounded b = outbox.bound(sinkId, config.backlogLimit());
        if (b.deadLettered() > 0) {
            meters.deadLettered(b.deadLettered());
            LOG.warn("Sink {}: {} messages over the backlog bound of {} became dead letters", sinkId, b.deadLettered(),
                    config.backlogLimit());
        }
        meters.backlog(b.backlog().messages(), b.backlog().oldestReceivedAt());
    }

    private void checkDrained() {
        if (!stopped || fetching || flushing) {
            return;
        }
        for (boolean b : busy) {
            if (b) {
                return;
            }
        }
        drained.complete(null);
    }

    /** Doubling from sinks.retryBaseMillis up to sinks.retryMaxSeconds, each between half and all of it. */
    Duration backoff(int attempts) {
        long max = config.retryMaxSeconds() * 1000L;
        long full = Math.min(max, config.retryBaseMillis() * (1L << Math.min(30, attempts - 1)));
        return Duration.ofMillis(full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1));
    }
}
