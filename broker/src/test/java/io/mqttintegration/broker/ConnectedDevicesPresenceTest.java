package io.mqttintegration.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.spi.broker.DeviceConnection;
import io.mqttintegration.spi.broker.DeviceIdentity;
import io.mqttintegration.spi.broker.DeviceLimits;
import io.mqttintegration.spi.broker.DeviceMessage;
import io.mqttintegration.spi.broker.DisconnectReason;
import io.mqttintegration.spi.broker.HostedService;
import io.mqttintegration.spi.broker.RunningBroker;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * What {@link ConnectedDevices} reports to device presence: each admitted connection once when
 * admitted and once when it ends, with the first reason marked and whether its will was published,
 * and the cap held to this node's devices plus those the service counts on the other nodes.
 */
class ConnectedDevicesPresenceTest {

    /** The service's side, as far as presence goes: it records what it is told. */
    static final class Recorded implements HostedService {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<DeviceConnection> connections = new CopyOnWriteArrayList<>();
        volatile int elsewhere;

        @Override
        public void connected(DeviceConnection c) {
            connections.add(c);
            events.add("connected " + c.identity().username() + " " + c.clientId());
        }

        @Override
        public void disconnected(DeviceConnection c, DisconnectReason reason, boolean willPublished) {
            events.add(reason.label() + " " + c.identity().username() + (willPublished ? " will" : ""));
        }

        @Override
        public int connectedElsewhere(UUID organizationId) {
            return elsewhere;
        }

        @Override
        public Optional<DeviceIdentity> authenticate(String username, String password) {
            return Optional.empty();
        }

        @Override
        public Optional<DeviceIdentity> owner(String username) {
            return Optional.empty();
        }

        @Override
        public Set<String> revokedAmong(Set<String> usernames) {
            return Set.of();
        }

        @Override
        public DeviceLimits deviceLimits(UUID organizationId) {
            return new DeviceLimits(2, 10);
        }

        @Override
        public int deviceBurstSeconds() {
            return 1;
        }

        @Override
        public long commitTimeoutMs() {
            return 1_000;
        }

        @Override
        public List<CompletableFuture<?>> store(List<DeviceMessage> messages) {
            return List.of();
        }

        @Override
        public AutoCloseable attach(RunningBroker broker) {
            return () -> { };
        }
    }

    final UUID acme = UUID.randomUUID();
    final Recorded service = new Recorded();
    final ConnectedDevices devices = new ConnectedDevices(service::deviceLimits, 1,
            Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC), System::nanoTime, service);

    DeviceIdentity device(String name) {
        return new DeviceIdentity(name, UUID.randomUUID(), acme, UUID.randomUUID());
    }

    @Test
    void aConnectionIsReportedOnceAdmittedAndOnceEndedWithTheReasonMarkedFirst() {
        devices.connecting(1L, true);
        assertTrue(devices.admit(1L, device("a"), "ca", "/127.0.0.1:1"));
        assertTrue(devices.admit(1L, device("a"), "ca", "/127.0.0.1:1"), "authenticated again: no second report");
        devices.ending(1L, DisconnectReason.REVOKED);
        devices.ending(1L, DisconnectReason.CONNECTION_LOST); // the failure that follows the revocation
        devices.release(1L);
        devices.release(1L);
        assertEquals(List.of("connected a ca", "revoked a will"), service.events);
        assertTrue(service.connections.get(0).connectionId().endsWith("/1"), service.connections.get(0).connectionId());
        assertEquals(Instant.parse("2026-12-07T10:00:00Z"), service.connections.get(0).at());
    }

    @Test
    void aDisconnectWithReasonZeroDiscardsTheWillAnyOtherEndPublishesIt() {
        devices.connecting(1L, true);
        devices.admit(1L, device("a"), "ca", "r");
        devices.disconnecting(1L, 0);
        devices.release(1L);
        devices.connecting(2L, true);
        devices.admit(2L, device("b"), "cb", "r");
        devices.disconnecting(2L, 4); // Disconnect with Will Message
        devices.release(2L);
        devices.connecting(3L, true);
        devices.admit(3L, device("c"), "cc", "r");
        devices.release(3L); // nothing marked: the socket went
        devices.connecting(4L, false);
        devices.admit(4L, device("d"), "cd", "r");
        devices.release(4L);
        assertEquals(List.of("connected a ca", "client_disconnect a", "connected b cb", "client_disconnect b will", "connected c cc",
                "connection_lost c will", "connected d cd", "connection_lost d"), service.events);
    }

    @Test
    void aConnectionWithTheSameClientIdTakesTheOlderOneOver() {
        devices.admit(1L, device("a"), "same", "r");
        devices.admit(2L, device("b"), "same", "r");
        devices.release(1L);
        assertEquals(List.of("connected a same", "connected b same", "taken_over a"), service.events);
    }

    @Test
    void theBrokerStoppingReportsEveryConnectionNodeStoppedWithoutWill() {
        devices.connecting(1L, true);
        devices.admit(1L, device("a"), "ca", "r");
        devices.admit(2L, device("b"), "cb", "r");
        devices.stopping();
        devices.release(1L);
        assertEquals(Set.of("node_stopped a", "node_stopped b"), Set.copyOf(service.events.subList(2, 4)));
        assertEquals(4, service.events.size(), "the broker's own close later reports nothing more");
        assertEquals(0, devices.connected());
    }

    @Test
    void theCapCountsTheOrganizationsDevicesOnTheOtherNodes() {
        service.elsewhere = 1;
        assertTrue(devices.admit(1L, device("a"), "ca", "r"), "1 here + 1 elsewhere: the cap of 2");
        assertFalse(devices.admit(2L, device("b"), "cb", "r"), "a third is refused");
        service.elsewhere = 0;
        assertTrue(devices.admit(3L, device("b"), "cb", "r"));
        assertEquals(Map.of(acme, 2), devices.connectedByOrganization());
    }
}
