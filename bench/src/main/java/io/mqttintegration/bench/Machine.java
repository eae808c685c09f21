package io.mqttintegration.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** What the machine and this JVM look like while a benchmark runs: load average, RSS, heap. */
final class Machine {

    private Machine() {
    }

    /** The 1-minute load average (other builds may share the 2 cores: every figure carries it). */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** The machine's CPU time so far, all cores (the "cpu" line of /proc/stat): {busy, total} in clock ticks. */
    static long[] cpuTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle, iowait
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** Percent of the machine's CPU (all cores) busy between two {@link #cpuTicks} readings. */
    static double busyPercent(long[] from, long[] to) {
        long total = to[1] - from[1];
        return total <= 0 ? Double.NaN : 100.0 * (to[0] - from[0]) / total;
    }

    /** Resident set size of a process in MB (VmRSS of /proc/pid/status). */
    static long rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return -1;
    }

    /** Threads of a process (Threads of /proc/pid/status), -1 if it is gone. */
    static long threads(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("Threads:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return -1;
    }

    /** CPU time (utime + stime of /proc/pid/stat, clock ticks of 10 ms) of another process in ms; -1 if it is gone. */
    static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // Fields after the command (in parentheses, may hold spaces): state is field 3, utime 14, stime 15.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long rssMb() {
        return rssMb(ProcessHandle.current().pid());
    }

    /** CPU time this JVM has used, in ms (service and load driver together). */
    static long cpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime()
                / 1_000_000;
    }

    static String memory() {
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return String.format("RSS %d MB, heap used %d MB of %d MB committed (max %d MB)", rssMb(), heap.getUsed() >> 20,
                heap.getCommitted() >> 20, heap.getMax() >> 20);
    }

    /** Percentile of sorted micros, in ms. */
    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1))] / 1000.0;
    }

    static long[] sorted(long[] micros) {
        long[] s = micros.clone();
        Arrays.sort(s);
        return s;
    }

    /** A benchmark's body. */
    interface Body {
        void run(String[] args) throws Exception;
    }

    /**
     * Runs a benchmark and exits with 0, or 1 after printing what failed: client threads (Paho's
     * reconnect timer) outlive the service and would keep the JVM up.
     */
    static void runThenExit(String[] args, Body body) {
        int status = 0;
        try {
            body.run(args);
        } catch (Throwable e) {
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }
}
