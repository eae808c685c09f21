package io.mqttintegration.bench;

import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * One timed window on the assembly: messages stored (database row count), CPU of the Karaf JVM and of
 * PostgreSQL (utime+stime from /proc), the writer's batches (GET /metrics), and the Karaf JVM's peak
 * threads and RSS (/proc/pid/status, sampled every 200 ms), from {@link #open} to {@link #close}. Both
 * ends wait until no message is in flight (GET /metrics), so the rows counted are those sent inside it.
 */
final class AssemblyWindow {

    private final AssemblyStack stack;
    private final long rows;
    private final long karafCpu;
    private final long postgresCpu;
    private final Map<String, Double> writer;
    private final long start;
    private volatile boolean sampling = true;
    private volatile long peakRssMb;
    private volatile long peakThreads;
    private final Thread sampler;

    long storedMessages;
    double seconds;
    private long karafCpuMs;
    private long postgresCpuMs;
    private String batches;

    private AssemblyWindow(AssemblyStack stack) throws Exception {
        this.stack = stack;
        stack.settle();
        this.rows = stack.storedMessages();
        this.writer = stack.writerCounters();
        long pid = stack.karafPid();
        this.sampler = new Thread(() -> {
            while (sampling) {
                peakRssMb = Math.max(peakRssMb, Machine.rssMb(pid));
                peakThreads = Math.max(peakThreads, Machine.threads(pid));
                LockSupport.parkNanos(200_000_000L);
            }
        }, "karaf-peak");
        this.sampler.setDaemon(true);
        this.karafCpu = stack.karafCpuMillis();
        this.postgresCpu = stack.postgresCpuMillis();
        this.start = System.nanoTime();
        this.sampler.start();
    }

    static AssemblyWindow open(AssemblyStack stack) throws Exception {
        return new AssemblyWindow(stack);
    }

    /**
     * Ends the window when what is in flight is committed (or at endNanos when given, e.g. the moment
     * the last message was stored).
     */
    AssemblyWindow close(long endNanos) throws Exception {
        if (endNanos <= 0) {
            stack.settle();
        }
        long end = endNanos > 0 ? endNanos : System.nanoTime();
        karafCpuMs = stack.karafCpuMillis() - karafCpu;
        postgresCpuMs = stack.postgresCpuMillis() - postgresCpu;
        sampling = false;
        sampler.join();
        seconds = (end - start) / 1e9;
        storedMessages = stack.storedMessages() - rows;
        batches = AssemblyStack.batchesBetween(writer, stack.writerCounters());
        return this;
    }

    AssemblyWindow close() throws Exception {
        return close(0);
    }

    double storedPerSecond() {
        return storedMessages / seconds;
    }

    /** The lines every assembly benchmark prints for its window. */
    void print(String indent) {
        System.out.printf("%sstored in the window (database rows): %,d in %.2f s = %.0f msg/s%n", indent, storedMessages, seconds,
                storedPerSecond());
        System.out.printf("%sKaraf JVM CPU: %.2f cores, %.0f µs per stored message%n", indent, karafCpuMs / 1000.0 / seconds,
                storedMessages == 0 ? Double.NaN : 1000.0 * karafCpuMs / storedMessages);
        System.out.printf("%sPostgreSQL CPU (all its processes): %.2f cores, %.0f µs per stored message%n", indent,
                postgresCpuMs / 1000.0 / seconds, storedMessages == 0 ? Double.NaN : 1000.0 * postgresCpuMs / storedMessages);
        System.out.printf("%swriter: %s%n", indent, batches);
        System.out.printf("%sKaraf JVM peak: %d threads, RSS %d MB; load %s%n", indent, peakThreads, peakRssMb, Machine.load());
    }
}
