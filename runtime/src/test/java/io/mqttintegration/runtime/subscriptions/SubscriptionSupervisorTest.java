package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.runtime.mqtt.BrokerException;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.SubscriptionRecord;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;

/**
 * One subscription's supervisor without Camel or a broker: a fake route and client, and timers the
 * test runs by hand (a scheduled step runs when the test says, and its delay is only looked at).
 */
class SubscriptionSupervisorTest {

    static final UUID ORG = UUID.randomUUID();
    static final UUID ID = UUID.randomUUID();
    static final SubscriptionRecord RECORD = new SubscriptionRecord(ID, ORG, List.of("site/#"), 1);

    final List<String> events = new ArrayList<>();
    final ManualTimers timers = new ManualTimers();
    final FakeRoute route = new FakeRoute();
    final FakeActivity activity = new FakeActivity();
    final AtomicInteger integrationReads = new AtomicInteger();
    /** The connect deadline in these tests: distinct from every backoff delay. */
    static final long CONNECT_TIMEOUT = 7_000;

    SubscriptionSupervisor supervisor(Backoff retry, Backoff redelivery) {
        return new SubscriptionSupervisor(RECORD, null, List.of("old/#"), route, () -> {
            integrationReads.incrementAndGet();
            return Optional.of(integration("read again"));
        }, timers, activity, new SubscriptionSupervisor.Timing(retry, new Backoff(1000, 2000, bound -> bound), redelivery,
                CONNECT_TIMEOUT));
    }

    SubscriptionSupervisor supervisor() {
        return supervisor(new Backoff(1000, 4000, bound -> bound), Backoff.doubling(1000, 8000));
    }

    static IntegrationRecord integration(String name) {
        return new IntegrationRecord(ID, ORG, name, "mqtt", "{}", null, true, OffsetDateTime.now(), OffsetDateTime.now());
    }

    /** Begins and runs the background steps: the route is created and the first connect is under way. */
    SubscriptionSupervisor connecting() {
        SubscriptionSupervisor s = supervisor();
        s.begin(integration("b"));
        timers.runSteps();
        return s;
    }

    SubscriptionSupervisor connected() {
        SubscriptionSupervisor s = connecting();
        route.client.accept();
        timers.runSteps();
        return s;
    }

    @Test
    void connectsInTheBackgroundAndSubscribesOnceTheBrokerAccepts() {
        SubscriptionSupervisor s = supervisor();
        s.begin(integration("b"));
        assertEquals(List.of(), events, "nothing is done on the caller's thread");
        timers.runSteps();
        assertEquals(List.of("create b [old/#]", "connect"), events, "route created with the filters to drop, then one connect");
        assertEquals(SubscriptionStatus.State.CONNECTING, s.status().state());

        route.client.accept();
        assertEquals(SubscriptionStatus.State.CONNECTING, s.status().state(), "the CONNACK is handled on the executor, not Paho's thread");
        timers.runSteps();
        assertEquals(SubscriptionStatus.State.CONNECTED, s.status().state());
        assertEquals(List.of("create b [old/#]", "connect", "subscribeAll"), events);

        route.subscribed.run();
        assertEquals(List.of("connected"), activity.entries, "the subscription's activity entry once subscribed");
    }

    @Test
    void aRefusedConnectIsShownAndRetriedAfterEachAttemptsBackoffUpToTheCap() {
        SubscriptionSupervisor s = connecting();
        for (long expected : new long[] {1000, 2000, 4000, 4000}) {
            route.client.refuse(new MqttException(134));
            timers.runSteps();
            assertEquals(SubscriptionStatus.State.ERROR, s.status().state());
            assertTrue(String.valueOf(s.status().view().get("lastError")).startsWith("auth: "), "reason: " + s.status().view());
            assertEquals(expected, timers.lastDelay(), "the retry backoff's window of this attempt");
            timers.runScheduled();
        }
        assertEquals(List.of("failing auth"), activity.entries, "one activity entry per run of failures, not one per attempt");
        assertEquals(1, events.stream().filter(e -> e.startsWith("create")).count(), "the client is kept across its retries");

        route.client.accept();
        timers.runSteps();
        route.subscribed.run();
        assertEquals(SubscriptionStatus.State.CONNECTED, s.status().state());
        s.redeliverLater(0);
        timers.runScheduled(); // a reconnect (for redelivery) that the broker refuses
        route.client.refuse(new MqttException(134));
        timers.runSteps();
        assertEquals(1000, timers.lastDelay(), "connected once, the backoff starts over");
        assertEquals(List.of("failing auth", "connected", "failing auth"), activity.entries, "a new run of failures is recorded again");
    }

    @Test
    void aConnectWithoutConnackIsAbandonedAtItsDeadlineAndRetriedWithBackoff() {
        SubscriptionSupervisor s = connecting();
        FakeClient c = route.client;
        Consumer<Boolean> lateConnack = c.onConnected;
        timers.runDeadline();
        assertEquals(List.of("create b [old/#]", "connect", "abandonConnect"), events);
        assertEquals(SubscriptionStatus.State.ERROR, s.status().state());
        assertTrue(String.valueOf(s.status().view().get("lastError")).startsWith("timeout: no CONNACK within 7000 ms"),
                "reason: " + s.status().view());
        assertEquals(1000, timers.lastDelay(), "retried after the first backoff window");

        lateConnack.accept(false); // the abandoned attempt's CONNACK after all: not this supervisor's any more
        timers.runSteps();
        assertEquals(SubscriptionStatus.State.ERROR, s.status().state(), "a late CONNACK of an abandoned attempt is ignored");

        timers.runScheduled();
        assertEquals(List.of("create b [old/#]", "connect", "abandonConnect", "connect"), events, "a new attempt, same client");
        c.accept();
        timers.runSteps();
        assertEquals(SubscriptionStatus.State.CONNECTED, s.status().state());
        assertEquals(0, timers.pending(), "the connected attempt's deadline is cancelled");
    }

    @Test
    void aConnectWhoseConnackCameIsNotAbandonedWhileItsNextStepWaitsForTheExecutor() {
        SubscriptionSupervisor s = connecting();
        route.client.connected = true; // the CONNACK came; the step it starts is still queued
        timers.runDeadline();
        assertEquals(List.of("create b [old/#]", "connect"), events, "not abandoned");
        route.client.onConnected.accept(false);
        timers.runSteps();
        assertEquals(SubscriptionStatus.State.CONNECTED, s.status().state());
    }

    @Test
    void aLostConnectionIsReconnectedByTheSupervisorAfterAJitteredDelay() {
        SubscriptionSupervisor s = connected();
        events.clear();
        route.client.connected = false;
        route.lost.run();
        assertEquals(0, timers.pending(), "nothing on Paho's thread");
        timers.runSteps();
        assertEquals(1000, timers.lastDelay(), "the first retry window");
        timers.runScheduled();
        assertEquals(List.of("connect"), events);
        route.client.accept();
        timers.runSteps();
        assertEquals(List.of("connect", "subscribeAll"), events, "subscribed again on the new connection");
        assertEquals(SubscriptionStatus.State.CONNECTED, s.status().state());
    }

    @Test
    void theClientIsToldWhetherTheBrokerKeptTheSession() {
        connected();
        events.clear();
        route.client.connected = false;
        route.lost.run();
        timers.runSteps();
        timers.runScheduled();
        route.client.accept(true);
        timers.runSteps();
        assertEquals(List.of("connect", "subscribeAll (session present)"), events,
                "the client decides whether the kept session already holds its filters");
    }

    @Test
    void aConnectWaitsUntilTheLastConnectionsCallbackLoopHasEnded() {
        connected();
        events.clear();
        route.client.connected = false;
        route.client.callbackEnded = false; // still delivering a message of the lost connection
        route.lost.run();
        timers.runSteps();
        timers.runScheduled(); // the reconnect's delay
        assertEquals(List.of(), events, "no connect while the old callback loop runs");
        assertEquals(SubscriptionSupervisor.CALLBACK_POLL_MILLIS, timers.lastDelay(), "looked at again shortly");
        timers.runScheduled();
        assertEquals(List.of(), events);
        route.client.callbackEnded = true;
        timers.runScheduled();
        assertEquals(List.of("connect"), events, "connects once it has ended");
    }

    @Test
    void aMessageThatWasNotStoredIsForgottenByTheClientsWindow() {
        SubscriptionSupervisor s = connected();
        s.deliveryFailed(17);
        s.deliveryFailed(-1);
        assertEquals(List.of(17), route.client.notStored, "by packet id; an unknown one is not passed on");
    }

    @Test
    void aRouteThatCouldNotBeCreatedIsRetriedWithTheIntegrationReadAgain() {
        route.failures.add(new BrokerException("dns", "no such host"));
        route.failures.add(new IllegalStateException("template broken"));
        SubscriptionSupervisor s = connecting();
        assertEquals("dns: no such host", s.status().view().get("lastError"));
        assertEquals(1000, timers.lastDelay());

        timers.runScheduled();
        assertEquals(1, integrationReads.get(), "the retry reads the integration again");
        assertEquals("the subscription route could not start: template broken", s.status().view().get("lastError"));
        assertEquals(2000, timers.lastDelay());

        timers.runScheduled();
        assertEquals(List.of("create b [old/#]", "create read again [old/#]", "create read again [old/#]", "connect"), events);
    }

    @Test
    void aConnectPahoIsAlreadyMakingIsLookedAtAgainLaterWithoutCountingAsAFailure() {
        route.connectThrows = new MqttException(MqttClientException.REASON_CODE_CONNECT_IN_PROGRESS);
        SubscriptionSupervisor s = connecting();
        assertEquals(SubscriptionStatus.State.CONNECTING, s.status().state(), "not an error");
        assertEquals(SubscriptionSupervisor.CONNECT_IN_PROGRESS_RETRY_MILLIS, timers.lastDelay());
        assertEquals(List.of(), activity.entries);

        route.connectThrows = null;
        timers.runScheduled();
        assertEquals(List.of("create b [old/#]", "connect", "connect"), events, "looked at again: a new connect, same client");
        route.client.refuse(new MqttException(134));
        timers.runSteps();
        assertEquals(1000, timers.lastDelay(), "the first failure waits the first window");
    }

    @Test
    void deliveryFailuresReconnectOncePerConnectionBackingOffUntilAMessageIsStored() {
        SubscriptionSupervisor s = connected();
        events.clear();
        s.redeliverLater(0);
        s.redeliverLater(0);
        assertEquals(1, timers.pending(), "one reconnect per connection however many of its messages fail");
        assertEquals(1000, timers.lastDelay());

        timers.runScheduled();
        assertEquals(List.of("disconnectKeepingSession", "connect"), events);
        assertEquals(SubscriptionStatus.State.RECONNECTING, s.status().state());
        assertEquals(1, s.status().connection(), "a new connection");

        s.redeliverLater(0);
        assertEquals(0, timers.pending(), "a failure of a message of the old connection: it is being delivered again");
        route.client.accept();
        timers.runSteps();
        s.redeliverLater(1);
        assertEquals(2000, timers.lastDelay(), "failures go on: the backoff doubles");
        timers.runScheduled();
        route.client.accept();
        timers.runSteps();
        s.redeliverLater(2);
        assertEquals(4000, timers.lastDelay());
        timers.runScheduled();
        s.stored();
        s.redeliverLater(3);
        assertEquals(1000, timers.lastDelay(), "a stored message starts the backoff over");
    }

    @Test
    void aRedeliveryIsDroppedWhenTheConnectionWentMeanwhile() {
        SubscriptionSupervisor s = connected();
        events.clear();
        s.redeliverLater(0);
        route.client.connected = false; // Paho's own reconnect is at it
        timers.runScheduled();
        assertEquals(List.of(), events);
        assertEquals(SubscriptionStatus.State.CONNECTED, s.status().state());
    }

    @Test
    void stoppingDrainsWaitsForTheMessagesInFlightThenTakesTheRouteDownAndEndsTheSession() {
        SubscriptionSupervisor s = connected();
        events.clear();
        s.stop(true, true);
        assertEquals(List.of("drain", "awaitInflight", "takeDown remove", "closeSession"), events);
        assertEquals(SubscriptionStatus.State.STOPPED, s.status().state());
    }

    @Test
    void theServiceStopKeepsTheSessionAndLeavesTheRouteToCamel() {
        SubscriptionSupervisor s = connected();
        events.clear();
        s.stop(false, false);
        assertEquals(List.of("drain", "awaitInflight", "takeDown keep", "closeQuietly"), events);
    }

    @Test
    void aStoppedSupervisorCancelsItsRetryAndIgnoresALateConnackOrRedelivery() {
        SubscriptionSupervisor s = connecting();
        route.client.refuse(new MqttException(134));
        timers.runSteps();
        Future<?> retry = timers.scheduled.get(timers.scheduled.size() - 1).task();
        s.stop(true, true);
        assertTrue(retry.isCancelled(), "the pending retry is cancelled");

        events.clear();
        route.client.accept();
        timers.runSteps();
        s.redeliverLater(0);
        timers.runScheduled();
        assertEquals(List.of(), events, "nothing after the stop");
        assertEquals(SubscriptionStatus.State.STOPPED, s.status().state());
    }

    @Test
    void aStopBeforeTheRouteExistsTakesDownWhateverIsThereAndCreatesNothingLater() {
        SubscriptionSupervisor s = supervisor();
        s.begin(integration("b"));
        s.stop(true, true);
        timers.runSteps();
        assertEquals(List.of("takeDown remove"), events);
    }

    @Test
    void messagesAreCountedOnTheConnectionTheyCameOn() {
        SubscriptionSupervisor s = connected();
        assertEquals(0, s.received());
        s.deliveryFailed(-1);
        s.stored();
        assertEquals(1, s.status().received());
        assertEquals(1, s.status().failed());
        assertEquals(1, s.status().stored());
    }

    /** Steps run when the test says; scheduled steps are kept with their delay. */
    static final class ManualTimers implements SubscriptionSupervisor.Timers {
        record Scheduled(long delayMillis, FutureTask<?> task) {
        }

        final List<Runnable> steps = new ArrayList<>();
        final List<Scheduled> scheduled = new ArrayList<>();

        @Override
        public void execute(Runnable step) {
            steps.add(step);
        }

        @Override
        public Future<?> schedule(Runnable step, long delayMillis) {
            FutureTask<?> task = new FutureTask<>(step, null);
            scheduled.add(new Scheduled(delayMillis, task));
            return task;
        }

        void runSteps() {
            while (!steps.isEmpty()) {
                steps.remove(0).run();
            }
        }

        /** Runs what is scheduled now (a cancelled one does nothing), then the steps it started. */
        void runScheduled() {
            List<Scheduled> due = List.copyOf(scheduled);
            scheduled.clear();
            due.forEach(s -> s.task().run());
            runSteps();
        }

        /** The delay of the last step scheduled, connect deadlines aside. */
        long lastDelay() {
            return scheduled.stream().filter(s -> s.delayMillis() != CONNECT_TIMEOUT).reduce((a, b) -> b).orElseThrow().delayMillis();
        }

        /** Scheduled steps not cancelled, connect deadlines aside. */
        long pending() {
            return scheduled.stream().filter(s -> s.delayMillis() != CONNECT_TIMEOUT && !s.task().isCancelled()).count();
        }

        /** Runs the connect deadline scheduled last. */
        void runDeadline() {
            Scheduled d = scheduled.stream().filter(s -> s.delayMillis() == CONNECT_TIMEOUT).reduce((a, b) -> b).orElseThrow();
            scheduled.remove(d);
            d.task().run();
            runSteps();
        }
    }

    final class FakeRoute implements SubscriptionSupervisor.Route {
        final List<Exception> failures = new ArrayList<>();
        FakeClient client;
        Runnable subscribed;
        Runnable lost;
        MqttException connectThrows;

        @Override
        public SubscriptionSupervisor.Client create(IntegrationRecord integration, SubscriptionStatus status, Runnable subscribed,
                Runnable lost, List<String> droppedFilters) throws Exception {
            events.add("create " + integration.name() + " " + droppedFilters);
            if (!failures.isEmpty()) {
                throw failures.remove(0);
            }
            this.subscribed = subscribed;
            this.lost = lost;
            this.client = new FakeClient();
            return client;
        }

        @Override
        public void awaitInflight() {
            events.add("awaitInflight");
        }

        @Override
        public void takeDown(boolean remove) {
            events.add("takeDown " + (remove ? "remove" : "keep"));
        }
    }

    final class FakeClient implements SubscriptionSupervisor.Client {
        boolean connected;
        boolean callbackEnded = true;
        final List<Integer> notStored = new ArrayList<>();
        Consumer<Boolean> onConnected;
        Consumer<MqttException> onFailed;

        void accept() {
            accept(false);
        }

        void accept(boolean sessionPresent) {
            connected = true;
            onConnected.accept(sessionPresent);
        }

        void refuse(MqttException e) {
            onFailed.accept(e);
        }

        @Override
        public void connectAsync(Consumer<Boolean> connected, Consumer<MqttException> failed) throws MqttException {
            events.add("connect");
            if (route.connectThrows != null) {
                throw route.connectThrows;
            }
            this.onConnected = connected;
            this.onFailed = failed;
        }

        @Override
        public boolean isConnected() {
            return connected;
        }

        @Override
        public void subscribeAll(boolean sessionPresent) {
            events.add(sessionPresent ? "subscribeAll (session present)" : "subscribeAll");
        }

        @Override
        public void disconnectKeepingSession() {
            events.add("disconnectKeepingSession");
            connected = false;
        }

        @Override
        public void abandonConnect() {
            events.add("abandonConnect");
        }

        @Override
        public MessageIdentity identity() {
            return MessageIdentity.NONE;
        }

        @Override
        public boolean callbackEnded() {
            return callbackEnded;
        }

        @Override
        public void notStored(int packetId) {
            notStored.add(packetId);
        }

        @Override
        public void drain() {
            events.add("drain");
        }

        @Override
        public void closeSession() {
            events.add("closeSession");
        }

        @Override
        public void closeQuietly() {
            events.add("closeQuietly");
        }

        @Override
        public String clientId() {
            return "mqi-test";
        }

        @Override
        public String sharedGroup() {
            return null;
        }
    }

    static final class FakeActivity implements SubscriptionActivity {
        final List<String> entries = new ArrayList<>();

        @Override
        public void connected(SubscriptionRecord subscription) {
            entries.add("connected");
        }

        @Override
        public void failing(SubscriptionRecord subscription, String reason) {
            entries.add("failing " + reason.substring(0, reason.indexOf(':')));
        }
    }
}
