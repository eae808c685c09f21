package io.mqttintegration.runtime.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mqttintegration.spi.console.ConsoleAnswer;
import io.mqttintegration.spi.console.ConsoleTable;
import io.mqttintegration.storage.sinks.SinkStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The console's answers about sinks ({@code mqtt:sink-list}): each sink with the node that holds its
 * lease, this node's counts of its deliveries (the {@code mqi.sink.*} counters, which exist while this
 * node delivers the sink, so they count from when it took the sink or its settings last changed), and
 * its backlog as the dispatcher bounds it.
 *
 * @param delivering the sinks this node delivers now ({@code SinkDispatcher.delivering})
 * @param nodeId     this node's id, as sinks' leases name it
 */
record SinkAnswers(SinkStore store, Supplier<Set<UUID>> delivering, MeterRegistry registry, String nodeId, Clock clock) {

    /** The most sinks listed. */
    static final int LIMIT = 10_000;

    /** mqtt:sink-list: the sinks of every organization, of one, or of one integration. */
    public ConsoleAnswer sinks(UUID organizationId, UUID integrationId) {
        ConsoleTable table = new ConsoleTable("ID", "ORGANIZATION", "INTEGRATION", "KIND", "NAME", "STATE", "NODE", "DELIVERED", "FAILED",
                "DEAD LETTERED", "BACKLOG", "OLDEST");
        Set<UUID> mine = delivering().get();
        Instant now = clock().instant();
        int here = 0;
        var all = store().overview(organizationId, integrationId, LIMIT);
        for (SinkStore.Overview o : all) {
            var s = o.sink();
            String id = s.id().toString();
            boolean delivered = mine.contains(s.id());
            here += delivered ? 1 : 0;
            Instant oldest = o.backlog().oldestReceivedAt();
            table.row(id, s.organizationId(), s.integrationId(), s.kind(), s.name(), s.paused() ? "paused" : "active", o.deliveringNode(),
                    delivered ? count("mqi.sink.delivered", id) : null, delivered ? count("mqi.sink.failed", id) : null,
                    delivered ? count("mqi.sink.dead.lettered", id) : null, o.backlog().messages(),
                    oldest == null ? null : age(Duration.between(oldest, now)));
        }
        return new ConsoleAnswer("", table, all.size() + (all.size() == 1 ? " sink, " : " sinks, ") + here + " delivered by this node ("
                + nodeId() + "): DELIVERED, FAILED and DEAD LETTERED are its counts\n");
    }

    /** A counter of a sink this node delivers, or null when it has none (the sink's route did not start). */
    private Long count(String name, String sinkId) {
        Counter c = registry().find(name).tag("sink", sinkId).counter();
        return c == null ? null : (long) c.count();
    }

    /** An age in its two largest units: {@code 42s}, {@code 3m07s}, {@code 5h02m}, {@code 2d04h}. */
    static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3_600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        if (s < 86_400) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3_600, s % 3_600 / 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, s % 86_400 / 3_600);
    }
}
