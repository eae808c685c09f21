package io.mqttintegration.runtime.routes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scans a folder (route files, parser files) and hands changed files to their {@link FileDeployer}.
 * A file is deployed once its size and modification time are the same on two scans in a row, so an
 * editor's half-written save is never read; a refused file is not retried until it changes again.
 */
public final class FolderWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FolderWatcher.class);

    private record Stamp(long size, FileTime modified) {
    }

    private final Path dir;
    private final FileDeployer deployer;
    private final long intervalMillis;
    private final Map<Path, Stamp> seen = new HashMap<>();
    private final Map<Path, Stamp> handled = new HashMap<>();
    private ScheduledExecutorService scheduler;

    public FolderWatcher(Path dir, FileDeployer deployer, long intervalMillis) {
        this.dir = dir;
        this.deployer = deployer;
        this.intervalMillis = intervalMillis;
    }

    /** Marks the files deployed at start as handled, then scans every interval. */
    public synchronized void start() throws IOException {
        for (Path file : files()) {
            Stamp stamp = stamp(file);
            seen.put(file, stamp);
            handled.put(file, stamp);
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "folder-watcher-" + dir.getFileName());
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::scanQuietly, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        LOG.info("Watching {} for changes every {} ms", dir, intervalMillis);
    }

    private void scanQuietly() {
        try {
            scan();
        } catch (Exception e) {
            LOG.warn("Scan of {} failed: {}", dir, e.toString());
        }
    }

    /** One pass over the folder. Package-private so tests can drive it without waiting. */
    synchronized void scan() throws IOException {
        List<Path> files = files();
        Set<Path> present = new HashSet<>(files);
        for (Path gone : Set.copyOf(handled.keySet())) {
            if (!present.contains(gone)) {
                handled.remove(gone);
                seen.remove(gone);
                try {
                    deployer.undeploy(gone);
                } catch (RuntimeException e) {
                    LOG.error("{} could not be removed: {}", gone, e.getMessage());
                }
            }
        }
        for (Path file : files) {
            Stamp now = stamp(file);
            Stamp before = seen.put(file, now);
            if (now.equals(before) && !now.equals(handled.get(file))) {
                handled.put(file, now);
                try {
                    deployer.deploy(file);
                } catch (RuntimeException e) {
                    // already logged with the file and the reason; the last good version keeps running
                }
            }
        }
    }

    List<Path> files() throws IOException {
        return filesOf(dir, deployer);
    }

    /** A folder's files of the deployer's kind, in name order (hidden files never). */
    public static List<Path> filesOf(Path dir, FileDeployer deployer) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var stream = Files.list(dir)) {
            return stream.filter(f -> !f.getFileName().toString().startsWith(".") && Files.isRegularFile(f)
                    && deployer.accepts(f)).sorted().toList();
        }
    }

    private static Stamp stamp(Path file) throws IOException {
        return new Stamp(Files.size(file), Files.getLastModifiedTime(file));
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }
}
