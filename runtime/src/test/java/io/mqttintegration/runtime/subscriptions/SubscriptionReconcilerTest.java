package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.storage.tenants.ActiveSubscription;
import io.mqttintegration.storage.tenants.SubscriptionRecord;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The cross-node reconciliation of node "na" against table rows, without a database or Camel: a
 * fake table and a fake node that records what it is told to start, stop and adopt.
 */
class SubscriptionReconcilerTest {

    static final UUID ORG = UUID.randomUUID();
    static final OffsetDateTime V1 = OffsetDateTime.parse("2026-01-01T00:00:00Z");
    static final OffsetDateTime V2 = V1.plusMinutes(1);

    final FakeTable table = new FakeTable();
    final FakeNode node = new FakeNode();
    final SubscriptionReconciler reconciler = new SubscriptionReconciler(table, node, () -> 42L);

    static SubscriptionRecord subscription(UUID id, String... topics) {
        return new SubscriptionRecord(id, ORG, List.of(topics), 1);
    }

    ActiveSubscription row(UUID id, OffsetDateTime version, String owner, String sharedGroup) {
        ActiveSubscription row = new ActiveSubscription(subscription(id, "site/#"), version, owner, sharedGroup);
        table.rows.add(row);
        return row;
    }

    @Test
    void runsWhatIsSharedOrOwnedHereAndLeavesAnotherNodesSubscriptionToIt() {
        UUID shared = UUID.randomUUID();
        UUID own = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        row(shared, V1, "nb", "g1");
        row(own, V1, "na", null);
        row(other, V1, "nb", null);

        assertEquals(2, reconciler.sync(), "subscriptions started");
        assertEquals(List.of("start " + shared + " " + V1, "start " + own + " " + V1), node.calls,
                "a shared group runs on every node; one without only on its owner");
        assertEquals(List.of(), table.claims, "owned rows are not claimed");
        assertEquals(1, reconciler.rounds());
    }

    @Test
    void claimsAnUnownedSubscriptionAndRunsItOnlyWhenTheClaimIsWon() {
        UUID won = UUID.randomUUID();
        UUID lost = UUID.randomUUID();
        row(won, V1, null, null);
        row(lost, V1, null, null);
        table.owners.put(lost, "nb"); // another node claimed it between the read and our claim

        assertEquals(1, reconciler.sync());
        assertEquals(List.of(won, lost), table.claims);
        assertEquals(List.of("start " + won + " " + V1), node.calls);
    }

    @Test
    void stopsHereWhatRunsOnAnotherNodeEndingTheSessionOnlyWhenTheIntegrationMovedIt() {
        UUID kept = UUID.randomUUID();
        UUID moved = UUID.randomUUID();
        row(kept, V1, "nb", null);
        row(moved, V1, "nb", null);
        node.run(kept, V1);
        node.run(moved, V1);
        node.sessionMoves.add(moved);

        assertEquals(0, reconciler.sync());
        assertEquals(List.of("stop " + kept + " keepSession", "stop " + moved + " endSession"), node.calls);
    }

    @Test
    void restartsWhatChangedInTheTableAndLeavesTheRestRunning() {
        UUID same = UUID.randomUUID();
        UUID changed = UUID.randomUUID();
        row(same, V1, "na", null);
        row(changed, V2, "na", null);
        node.run(same, V1);
        node.run(changed, V1);

        assertEquals(1, reconciler.sync());
        assertEquals(List.of("start " + changed + " " + V2), node.calls);
    }

    @Test
    void adoptsTheRowOfASubscriptionThisNodesApiStartedAndRestartsOneThatDiffersFromIt() {
        UUID adopted = UUID.randomUUID();
        UUID differs = UUID.randomUUID();
        row(adopted, V1, "na", null);
        row(differs, V1, "na", null);
        node.running.put(adopted, new SubscriptionReconciler.Run(subscription(adopted, "site/#"), null));
        node.running.put(differs, new SubscriptionReconciler.Run(subscription(differs, "other/#"), null));

        assertEquals(1, reconciler.sync());
        assertEquals(List.of("adopt " + adopted + " " + V1, "start " + differs + " " + V1), node.calls);
    }

    @Test
    void stopsWhatIsGoneFromTheTableAndEndsItsSession() {
        UUID gone = UUID.randomUUID();
        node.run(gone, V1);

        assertEquals(0, reconciler.sync());
        assertEquals(List.of("stop " + gone + " endSession"), node.calls);
    }

    @Test
    void leavesAloneWhatThisNodeStartedOrStoppedAfterTheTableWasRead() {
        UUID subscribedMeanwhile = UUID.randomUUID();
        UUID unsubscribedMeanwhile = UUID.randomUUID();
        row(unsubscribedMeanwhile, V1, "na", null); // the table still has it: read before the stop
        node.run(subscribedMeanwhile, null); // the table lacks it: read before the start
        node.changed.add(subscribedMeanwhile);
        node.changed.add(unsubscribedMeanwhile);

        assertEquals(0, reconciler.sync());
        assertEquals(List.of(), node.calls, "the next round decides, from a table read after the change");
    }

    @Test
    void aClosingNodeEndsTheRoundWithoutStartingAnythingOrCountingTheRound() {
        row(UUID.randomUUID(), V1, "na", null);
        node.closed = true;

        assertEquals(0, reconciler.sync());
        assertEquals(List.of(), node.calls);
        assertEquals(0, reconciler.rounds());
    }

    @Test
    void aSubscriptionThatCannotStartDoesNotHoldUpTheOthers() {
        UUID broken = UUID.randomUUID();
        UUID fine = UUID.randomUUID();
        row(broken, V1, "na", null);
        row(fine, V1, "na", null);
        node.failing.add(broken);

        assertEquals(1, reconciler.sync());
        assertEquals(List.of("start " + broken + " " + V1, "start " + fine + " " + V1), node.calls);
        assertEquals(1, reconciler.rounds());
    }

    static final class FakeTable implements SubscriptionReconciler.Table {
        final List<ActiveSubscription> rows = new ArrayList<>();
        final Map<UUID, String> owners = new HashMap<>();
        final List<UUID> claims = new ArrayList<>();

        @Override
        public List<ActiveSubscription> active() {
            return rows;
        }

        @Override
        public Optional<String> claim(UUID integrationId, String claimer) {
            claims.add(integrationId);
            return Optional.of(owners.computeIfAbsent(integrationId, id -> claimer));
        }
    }

    static final class FakeNode implements SubscriptionReconciler.Node {
        final Map<UUID, SubscriptionReconciler.Run> running = new LinkedHashMap<>();
        final Set<UUID> changed = new HashSet<>();
        final Set<UUID> sessionMoves = new HashSet<>();
        final Set<UUID> failing = new HashSet<>();
        final List<String> calls = new ArrayList<>();
        boolean closed;

        void run(UUID id, OffsetDateTime version) {
            running.put(id, new SubscriptionReconciler.Run(subscription(id, "site/#"), version));
        }

        @Override
        public String nodeId() {
            return "na";
        }

        @Override
        public boolean whileOpen(UUID integrationId, Runnable work) {
            if (closed) {
                return false;
            }
            work.run();
            return true;
        }

        @Override
        public boolean changedSince(UUID integrationId, long nanoTime) {
            assertEquals(42L, nanoTime, "compared with the time the table was read");
            return changed.contains(integrationId);
        }

        @Override
        public Optional<SubscriptionReconciler.Run> running(UUID integrationId) {
            return Optional.ofNullable(running.get(integrationId));
        }

        @Override
        public Set<UUID> runningIds() {
            return running.keySet();
        }

        @Override
        public void adopt(UUID integrationId, OffsetDateTime version) {
            calls.add("adopt " + integrationId + " " + version);
            running.computeIfPresent(integrationId, (id, r) -> new SubscriptionReconciler.Run(r.subscription(), version));
        }

        @Override
        public void start(SubscriptionRecord subscription, OffsetDateTime version) {
            calls.add("start " + subscription.integrationId() + " " + version);
            if (failing.contains(subscription.integrationId())) {
                throw new IllegalStateException("cannot start");
            }
            running.put(subscription.integrationId(), new SubscriptionReconciler.Run(subscription, version));
        }

        @Override
        public void stop(UUID integrationId, boolean endSession) {
            calls.add("stop " + integrationId + (endSession ? " endSession" : " keepSession"));
            running.remove(integrationId);
        }

        @Override
        public boolean sessionMoves(SubscriptionRecord subscription) {
            return sessionMoves.contains(subscription.integrationId());
        }
    }
}
