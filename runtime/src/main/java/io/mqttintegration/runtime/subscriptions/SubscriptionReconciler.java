package io.mqttintegration.runtime.subscriptions;

import io.mqttintegration.storage.tenants.ActiveSubscription;
import io.mqttintegration.storage.tenants.SubscriptionRecord;
import io.mqttintegration.storage.tenants.SubscriptionStore;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this node's subscriptions follow the {@code subscriptions} table, whichever node changed it:
 * starts what runs here and is not running, restarts what changed since (its row or its integration:
 * the row's version), stops what moved to another node, and stops (ending the session) what is gone
 * from the table or whose integration is disabled.
 *
 * <p>Where a subscription runs: one whose integration has a {@code sharedGroup} on every node (each
 * with a session of its own in the group); one without only on its row's {@code owner_node}, which
 * this node claims when it is empty (the first node to claim it wins).
 *
 * <p>Each subscription is decided and acted on under its integration's lock ({@link Node#whileOpen}),
 * and left alone when this node started or stopped it after the table was read, so a round never
 * undoes a newer API call; the table is read and claimed without a lock.
 */
final class SubscriptionReconciler {

    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionReconciler.class);

    /** The subscriptions table as a node reconciling its routes reads it. */
    interface Table {
        /** Every subscription that should run, with its version, owner and shared group. */
        List<ActiveSubscription> active();

        /** Claims an unowned subscription for the node: its owner after the claim (another node's if it was first). */
        Optional<String> claim(UUID integrationId, String node);

        static Table of(SubscriptionStore store) {
            return new Table() {
                @Override
                public List<ActiveSubscription> active() {
                    return store.listActiveVersions();
                }

                @Override
                public Optional<String> claim(UUID integrationId, String node) {
                    return store.claim(integrationId, node);
                }
            };
        }
    }

    /** What runs on this node, and how to change it ({@link Subscriptions}). */
    interface Node {
        String nodeId();

        /** Runs {@code work} under the integration's lock, unless this node is closing (then false, and nothing ran). */
        boolean whileOpen(UUID integrationId, Runnable work);

        /** Whether this node started or stopped the subscription itself after {@code nanoTime}. */
        boolean changedSince(UUID integrationId, long nanoTime);

        /** The subscription running here: its record and the row version it follows (null: not yet adopted). */
        Optional<Run> running(UUID integrationId);

        Set<UUID> runningIds();

        /** The running subscription was started through this node's API from this row: it follows the row's version. */
        void adopt(UUID integrationId, OffsetDateTime version);

        /** Starts or restarts the subscription, following the row's version. */
        void start(SubscriptionRecord subscription, OffsetDateTime version);

        /** Stops the subscription here; with {@code endSession} its broker session ends too. */
        void stop(UUID integrationId, boolean endSession);

        /**
         * Whether stopping the subscription here, as it moves to another node, ends its session: when
         * its integration now names another client id or shared group, or is gone.
         */
        boolean sessionMoves(SubscriptionRecord subscription);
    }

    /** A subscription running here, as the reconciler sees it. */
    record Run(SubscriptionRecord subscription, OffsetDateTime version) {
    }

    private final Table table;
    private final Node node;
    private final LongSupplier nanoTime;
    private final AtomicLong rounds = new AtomicLong();

    /** @param nanoTime the clock of {@link Node#changedSince} ({@code System::nanoTime}) */
    SubscriptionReconciler(Table table, Node node, LongSupplier nanoTime) {
        this.table = table;
        this.node = node;
        this.nanoTime = nanoTime;
    }

    /**
     * One round: reads the table, then reconciles each subscription in it and each running here.
     *
     * @return the number of subscriptions started (or restarted)
     */
    int sync() {
        long readAt = nanoTime.getAsLong();
        List<ActiveSubscription> rows = table.active();
        Set<UUID> wanted = new HashSet<>();
        int[] started = {0};
        for (ActiveSubscription row : rows) {
            SubscriptionRecord r = row.subscription();
            wanted.add(r.integrationId());
            boolean here = row.sharedGroup() != null || node.nodeId().equals(
                    row.ownerNode() != null ? row.ownerNode() : table.claim(r.integrationId(), node.nodeId()).orElse(null));
            boolean open = node.whileOpen(r.integrationId(), () -> {
                if (!node.changedSince(r.integrationId(), readAt) && follow(row, here)) {
                    started[0]++;
                }
            });
            if (!open) {
                return started[0];
            }
        }
        rounds.incrementAndGet();
        for (UUID id : List.copyOf(node.runningIds())) {
            node.whileOpen(id, () -> {
                if (!wanted.contains(id) && !node.changedSince(id, readAt) && node.running(id).isPresent()) {
                    LOG.info("Subscription of integration {} was removed or disabled (through another node): stopping it", id);
                    node.stop(id, true);
                }
            });
        }
        return started[0];
    }

    /** Under the integration's lock: makes what runs here follow the row. Returns whether it (re)started it. */
    private boolean follow(ActiveSubscription row, boolean here) {
        SubscriptionRecord r = row.subscription();
        Optional<Run> run = node.running(r.integrationId());
        if (!here) {
            if (run.isPresent()) {
                LOG.info("Subscription {} has no shared group and runs on node {}: stopping it here",
                        SubscriptionRoutes.routeId(r.integrationId()), row.ownerNode());
                node.stop(r.integrationId(), node.sessionMoves(r));
            }
            return false;
        }
        if (run.isPresent() && run.get().version() == null && run.get().subscription().equals(r)) {
            node.adopt(r.integrationId(), row.version()); // started here through the API: that is its row
            return false;
        }
        if (run.isPresent() && row.version().equals(run.get().version())) {
            return false;
        }
        if (run.isPresent()) {
            LOG.info("Subscription {} changed in the database: restarting it", SubscriptionRoutes.routeId(r.integrationId()));
        }
        try {
            node.start(r, row.version());
            return true;
        } catch (RuntimeException e) {
            LOG.error("Could not start the subscription of integration {}: {}", r.integrationId(), e.getMessage());
            return false;
        }
    }

    /** How many rounds read the table and went through it (a round cut short by the node's closing does not count). */
    long rounds() {
        return rounds.get();
    }
}
