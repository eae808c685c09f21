package io.mqttintegration.runtime.subscriptions;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads every subscription's Paho client shares, handed to each client as its
 * {@link ScheduledExecutorService} (Paho v5: {@code MqttClient(uri, id, persistence, executor)}).
 * Paho uses it three ways, and each goes to a pool of its own:
 * <ul>
 * <li>{@code submit}: the connection's three loops (receiver, sender, callback), each blocking a
 * thread for as long as the connection lives: a pool without bound that reuses ended loops'
 * threads (a bounded one would starve: the loops never return while connected);</li>
 * <li>{@code execute}: a connect's or disconnect's background step (TCP connect, CONNECT sent;
 * DISCONNECT sent): a pool of at most {@code connectThreads}, which also bounds how many
 * subscriptions open a connection at once (the CONNACK is awaited without a thread). The step is
 * short in work but not in time: Paho 1.2.5 starts the connection's three loops one after the
 * other and sleeps 100 ms after each until it runs ({@code CommsSender.start} and its siblings),
 * so a connect holds its thread ~300 ms. With 8 threads that made 2,000 subscriptions connect at
 * a steady ~27 per second (on the assembly, at the start and after a broker restart alike); the
 * threads sleep, so many are cheap, and they end after 30 s without work;</li>
 * <li>{@code schedule}: keep-alive pings, on the subscriptions' shared scheduler (no
 * {@code Timer} thread per client).</li>
 * </ul>
 * So a connected subscription costs its three loop threads and nothing else of its own. Clients
 * never shut this down; {@link #close} does.
 */
class ClientThreads extends AbstractExecutorService implements ScheduledExecutorService, AutoCloseable {

    private final ThreadPoolExecutor loops;
    private final ThreadPoolExecutor steps;
    private final ScheduledExecutorService scheduler;

    /**
     * @param scheduler the subscriptions' shared scheduler (not shut down by {@link #close})
     * @param connectThreads how many connects (and disconnects) run at once
     */
    ClientThreads(ScheduledExecutorService scheduler, int connectThreads) {
        this.scheduler = scheduler;
        this.loops = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemon("mqi-mqtt-connection-"));
        this.steps = new ThreadPoolExecutor(connectThreads, connectThreads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                daemon("mqi-mqtt-connect-"));
        this.steps.allowCoreThreadTimeOut(true); // none while nothing connects
    }

    /** A view on the same pools ({@link ClientLoops}). */
    ClientThreads(ClientThreads shared) {
        this.scheduler = shared.scheduler;
        this.loops = shared.loops;
        this.steps = shared.steps;
    }

    static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Paho's short steps (connect, disconnect). */
    @Override
    public void execute(Runnable command) {
        steps.execute(command);
    }

    /** Paho's connection loops. */
    @Override
    public Future<?> submit(Runnable task) {
        return loops.submit(task);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return loops.submit(task, result);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return loops.submit(task);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return scheduler.schedule(command, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return scheduler.schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return scheduler.scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return scheduler.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    /** Shared: a client cannot shut it down. */
    @Override
    public void shutdown() {
    }

    @Override
    public List<Runnable> shutdownNow() {
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return loops.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return loops.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return loops.awaitTermination(timeout, unit);
    }

    /** Threads running connection loops now (a gauge for tests and metrics). */
    int connectionThreads() {
        return loops.getActiveCount();
    }

    /** The service's stop, after every client is closed. */
    @Override
    public void close() {
        steps.shutdownNow();
        loops.shutdownNow();
    }
}
