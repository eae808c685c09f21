package io.mqttintegration.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.spi.broker.DeviceIdentity;
import io.mqttintegration.spi.broker.DeviceLimits;
import io.mqttintegration.spi.broker.Refusal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectedDevicesTest {

    final UUID acme = UUID.randomUUID();
    final UUID globex = UUID.randomUUID();
    final AtomicLong nanos = new AtomicLong();
    final ConnectedDevices devices = new ConnectedDevices(org -> org.equals(acme) ? new DeviceLimits(2, 1)
            : new DeviceLimits(100, 5), 2, Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC), nanos::get);

    DeviceIdentity device(UUID org, String name) {
        return new DeviceIdentity(name, UUID.randomUUID(), org, UUID.randomUUID());
    }

    @Test
    void anOrganizationOverItsCapIsRefusedAnotherIsNotAndAReleasedSlotIsFreeAgain() {
        assertTrue(devices.admit(1L, device(acme, "dev-a1"), "a1", "/127.0.0.1:1"));
        assertTrue(devices.admit(2L, device(acme, "dev-a2"), "a2", "/127.0.0.1:2"));
        assertTrue(devices.admit(2L, device(acme, "dev-a2"), "a2", "/127.0.0.1:2"), "the same connection again takes no slot");
        assertFalse(devices.admit(3L, device(acme, "dev-a3"), "a3", "/127.0.0.1:3"), "acme's cap is 2");
        assertTrue(devices.takeCapRefusal(3L), "the refusal is marked for its CONNACK");
        assertFalse(devices.takeCapRefusal(3L), "once");
        assertTrue(devices.admit(4L, device(globex, "dev-g1"), "g1", "/127.0.0.1:4"), "globex has its own cap");
        assertEquals(Map.of(acme, 2, globex, 1), devices.connectedByOrganization());

        devices.release(1L);
        devices.release(3L); // a refused connection holds no slot
        assertTrue(devices.admit(5L, device(acme, "dev-a3"), "a3", "/127.0.0.1:5"));
        assertEquals(3, devices.connected());
        assertEquals(1, devices.refusals(Refusal.DEVICE_CAP));
        assertNull(devices.device(1L));
    }

    @Test
    void aDeviceReconnectingWithItsOwnClientIdTakesItsOldConnectionOverEvenAtTheCap() {
        DeviceIdentity a1 = device(acme, "dev-a1");
        assertTrue(devices.admit(1L, a1, "a1", "r"));
        assertTrue(devices.admit(2L, device(acme, "dev-a2"), "a2", "r"));
        assertFalse(devices.admit(3L, a1, "other-client", "r"), "another client id of the same device is one more connection");
        assertFalse(devices.admit(4L, device(acme, "dev-a3"), "a1", "r"), "another device with that client id too");
        assertTrue(devices.admit(5L, a1, "a1", "r"), "its own client id: Artemis closes the old connection");
        devices.release(1L);
        assertEquals(Map.of(acme, 2), devices.connectedByOrganization(), "back at the cap once the old one is gone");
        assertFalse(devices.admit(6L, device(acme, "dev-a3"), "a3", "r"));
    }

    @Test
    void eachDevicePublishesWithinItsOwnRateAndTheRefusalsOfAcknowledgedOnesAreMarked() {
        devices.admit(1L, device(acme, "dev-a1"), "a1", "r");
        devices.admit(2L, device(acme, "dev-a2"), "a2", "r");
        assertTrue(devices.tryPublish(1L, true));
        assertTrue(devices.tryPublish(1L, true), "burst: 1/s for 2 s");
        assertFalse(devices.tryPublish(1L, true));
        assertFalse(devices.tryPublish(1L, false), "QoS 0: refused, nothing to rewrite");
        assertTrue(devices.tryPublish(2L, true), "another device of the organization has its own bucket");
        assertTrue(devices.takeRateRefusal(1L));
        assertFalse(devices.takeRateRefusal(1L), "one acknowledged refusal, one mark");
        assertFalse(devices.takeRateRefusal(2L));
        assertTrue(devices.tryPublish(99L, true), "not a device (the service's own connection): not limited");
        nanos.addAndGet(1_000_000_000L);
        assertTrue(devices.tryPublish(1L, true), "a second later, one more");
        assertEquals(2, devices.refusals(Refusal.RATE));
    }

    @Test
    void receivedIsCountedPerDeviceAndInAllEvenAfterItsConnectionWent() {
        devices.admit(1L, device(acme, "dev-a1"), "a1", "r");
        devices.received(1L);
        devices.received(1L);
        devices.received(7L); // a connection released while its last message was being routed
        assertEquals(2, devices.device(1L).received());
        assertEquals(3, devices.received(), "what the broker took, whether or not its connection is still there");
    }

    @Test
    void newOrganizationsAreToldOnceAndALateListenerHearsOfThoseSeen() {
        List<UUID> told = new ArrayList<>();
        devices.onOrganization(told::add);
        devices.admit(1L, device(acme, "dev-a1"), "a1", "r");
        devices.admit(2L, device(acme, "dev-a2"), "a2", "r");
        devices.admit(3L, device(globex, "dev-g1"), "g1", "r");
        assertEquals(List.of(acme, globex), told);
        List<UUID> late = new ArrayList<>();
        devices.onOrganization(late::add);
        assertEquals(2, late.size());
    }

    @Test
    void concurrentConnectsNeverTakeMoreThanTheCap() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (long i = 0; i < 50; i++) {
                long id = i;
                results.add(pool.submit(() -> {
                    go.await();
                    return devices.admit(id, device(acme, "dev-" + id), "c" + id, "r");
                }));
            }
            go.countDown();
            int admitted = 0;
            for (Future<Boolean> f : results) {
                admitted += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(2, admitted);
            assertEquals(48, devices.refusals(Refusal.DEVICE_CAP));
        } finally {
            pool.shutdownNow();
        }
    }
}
