package io.mqttintegration.runtime.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.parsers.Reading;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.presence.ConnectionChange;
import io.mqttintegration.storage.presence.Seen;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Last seen merged per device until the flush, bounded; connection events split into rounds of distinct devices. */
class PresenceTrackerTest {

    final UUID org = UUID.randomUUID();
    final UUID integration = UUID.randomUUID();
    final Instant t = Instant.parse("2026-12-07T10:00:00Z");

    InboundMessage message(InboundMessage.Source source, int second, String... devices) {
        InboundMessage m = new InboundMessage(source, "site/t", "{}".getBytes(StandardCharsets.UTF_8), "application/json",
                t.plusSeconds(second), org, integration);
        m.parsed(java.util.Arrays.stream(devices).map(d -> new Reading(d, t, Map.of("v", 1))).toList());
        return m;
    }

    @Test
    void eachDeviceWaitsOnceWithItsNewestMessage() {
        PresenceTracker tracker = new PresenceTracker(100);
        tracker.committed(List.of(message(InboundMessage.Source.HTTP, 5, "d1", "d1", "d2"), message(InboundMessage.Source.HOSTED, 9, "d1"),
                message(InboundMessage.Source.MQTT, 1, "d2")));
        tracker.committed(List.of(new InboundMessage(InboundMessage.Source.HTTP, "raw", new byte[0], null, t, org, integration)));
        List<Seen> seen = tracker.drain().stream().sorted(Comparator.comparing(Seen::deviceId)).toList();
        assertEquals(List.of(new Seen(org, integration, "d1", "hosted", t.plusSeconds(9)), new Seen(org, integration, "d2", "http", t.plusSeconds(5))),
                seen);
        assertEquals(List.of(), tracker.drain(), "taken by the flush");
    }

    @Test
    void atTheBoundANewDeviceIsLeftOutAndAWaitingOneStillMoves() {
        PresenceTracker tracker = new PresenceTracker(2);
        tracker.committed(List.of(message(InboundMessage.Source.HTTP, 1, "d1", "d2"), message(InboundMessage.Source.HTTP, 2, "d3", "d1")));
        assertEquals(1, tracker.leftOut());
        assertEquals(List.of(t.plusSeconds(2), t.plusSeconds(1)),
                tracker.drain().stream().sorted(Comparator.comparing(Seen::deviceId)).map(Seen::at).toList());
    }

    @Test
    void connectionEventsGoInRoundsOfDistinctDevicesInTheirOrder() {
        ConnectionChange a1 = change("a", "1", null);
        ConnectionChange b1 = change("b", "1", null);
        ConnectionChange a1end = change("a", "1", "client_disconnect");
        ConnectionChange a2 = change("a", "2", null);
        assertEquals(List.of(List.of(a1, b1), List.of(a1end), List.of(a2)), ConnectionEvents.rounds(List.of(a1, b1, a1end, a2)));
    }

    ConnectionChange change(String device, String connection, String reason) {
        return new ConnectionChange(org, integration, device, connection, "c", "r", t, reason, false);
    }
}
