package io.mqttintegration.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.parsers.Reading;
import io.mqttintegration.storage.TelemetryIndex.Additions;
import io.mqttintegration.storage.TelemetryIndex.DeviceKey;
import io.mqttintegration.storage.TelemetryIndex.MonthBounds;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a batch adds to the device catalog and the ts bounds, without a database. */
class TelemetryIndexTest {

    private static final UUID ORG = UUID.fromString("01a21900-0000-7000-8000-000000000001");
    private static final UUID INTEGRATION = UUID.fromString("01a21900-0000-7000-8000-000000000002");
    private static final Instant RECEIVED = Instant.parse("2026-11-26T12:00:00Z");

    private static InboundMessage message(Instant receivedAt, Reading... readings) {
        InboundMessage m = new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8),
                "application/json", receivedAt, ORG, INTEGRATION);
        m.parsed(List.of(readings));
        return m;
    }

    private static Reading reading(String device, String ts) {
        return new Reading(device, Instant.parse(ts), Map.of("v", 1));
    }

    @Test
    void aNewDeviceIsAddedOnceAndOnlyUntilItsCommitIsLearned() {
        TelemetryIndex index = new TelemetryIndex();
        List<InboundMessage> batch = List.of(message(RECEIVED, reading("d-1", "2026-11-26T11:00:00Z")),
                message(RECEIVED.plusSeconds(1), reading("d-1", "2026-11-26T11:00:01Z"), reading("d-2", "2026-11-26T11:00:02Z")));

        Additions first = index.additions(batch);
        assertEquals(Map.of(new DeviceKey(ORG, INTEGRATION, "d-1"), RECEIVED, new DeviceKey(ORG, INTEGRATION, "d-2"),
                RECEIVED.plusSeconds(1)), first.devices(), "each new key once, with the first receive time");
        assertEquals(first, index.additions(batch), "nothing is learned before the commit (a rolled-back batch teaches nothing)");

        index.learn(first);
        assertTrue(index.additions(batch).isEmpty(), "a known device and a time inside the known bounds add nothing");
    }

    @Test
    void boundsAreRoundedOutToWholeDaysAndWidenedOnlyBeyondThem() {
        TelemetryIndex index = new TelemetryIndex();
        Additions first = index.additions(List.of(message(RECEIVED, reading("d-1", "2026-11-26T11:00:00Z"))));
        LocalDate november = LocalDate.parse("2026-11-01");
        assertEquals(List.of(new MonthBounds(november, Instant.parse("2026-11-26T00:00:00Z"), Instant.parse("2026-11-27T00:00:00Z"))),
                first.bounds());
        index.learn(first);

        Additions sameDay = index.additions(List.of(message(RECEIVED, reading("d-1", "2026-11-26T23:59:59Z"))));
        assertTrue(sameDay.isEmpty(), "another time of the same day is inside the rounded bounds: " + sameDay);

        Additions far = index.additions(List.of(message(RECEIVED, reading("d-1", "1970-01-02T03:04:05Z"),
                reading("d-1", "2100-05-06T07:08:09Z"))));
        assertEquals(List.of(new MonthBounds(november, Instant.parse("1970-01-02T00:00:00Z"), Instant.parse("2100-05-07T00:00:00Z"))),
                far.bounds(), "a far-past and a far-future time widen the month of receipt, not their own months");
    }

    @Test
    void eachReceiveMonthHasItsOwnBoundsAndAMessageWithoutReadingsNeedsNone() {
        TelemetryIndex index = new TelemetryIndex();
        Additions a = index.additions(List.of(message(Instant.parse("2026-10-31T23:59:59Z"), reading("d-1", "2026-10-31T23:00:00Z")),
                message(Instant.parse("2026-11-01T00:00:00Z"), reading("d-1", "2026-10-31T23:30:00Z")),
                message(Instant.parse("2026-12-01T00:00:00Z"))));
        assertEquals(List.of(
                new MonthBounds(LocalDate.parse("2026-10-01"), Instant.parse("2026-10-31T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z")),
                new MonthBounds(LocalDate.parse("2026-11-01"), Instant.parse("2026-10-31T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"))),
                a.bounds(), "months of receipt in UTC; December's message has no reading (no time)");
    }

    @Test
    void theSetOfKnownDevicesIsBoundedAndStartsAgainWhenFull() {
        TelemetryIndex index = new TelemetryIndex(3);
        List<InboundMessage> batch = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batch.add(message(RECEIVED, reading("d-" + i, "2026-11-26T11:00:00Z")));
        }
        index.learn(index.additions(batch));
        assertEquals(3, index.knownDevices());
        index.learn(index.additions(List.of(message(RECEIVED, reading("d-new", "2026-11-26T11:00:00Z")))));
        assertEquals(1, index.knownDevices(), "full: cleared, then the new key learned");
        assertEquals(1, index.additions(List.of(message(RECEIVED, reading("d-0", "2026-11-26T11:00:00Z")))).devices().size(),
                "a forgotten key is written again (ON CONFLICT DO NOTHING makes that harmless)");
    }

    @Test
    void messagesWithoutAnIntegrationAreNotCatalogued() {
        InboundMessage operators = new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8),
                "application/json", RECEIVED, null, null);
        operators.parsed(List.of(reading("d-1", "2026-11-26T11:00:00Z")));
        Additions a = new TelemetryIndex().additions(List.of(operators));
        assertTrue(a.devices().isEmpty(), "the catalog's key needs an organization and an integration");
        assertEquals(1, a.bounds().size(), "its time still bounds its month");
    }

    @Test
    void aTimeBeyondYear9999IsKeptAsItIs() {
        Instant late = Instant.parse("+10000-01-01T05:00:00Z");
        assertEquals(late, TelemetryIndex.ceilDay(late));
        assertEquals(Instant.parse("9999-12-31T00:00:00Z"), TelemetryIndex.floorDay(Instant.parse("9999-12-31T05:00:00Z")));
    }
}
