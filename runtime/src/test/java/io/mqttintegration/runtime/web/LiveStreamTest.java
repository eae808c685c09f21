package io.mqttintegration.runtime.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.parsers.Reading;
import io.mqttintegration.storage.InboundMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One live stream without a server: what it writes, when, and what it counts as dropped. */
class LiveStreamTest {

    final UUID integration = UUID.randomUUID();
    final List<String> written = new ArrayList<>();
    long now = TimeUnit.SECONDS.toNanos(1_000);
    boolean clientReads = true;
    boolean ended;

    final LiveStream.Output output = new LiveStream.Output() {
        @Override
        public boolean write(String text) {
            if (clientReads) {
                written.add(text);
            }
            return clientReads;
        }

        @Override
        public void end() {
            ended = true;
        }
    };

    LiveStream stream(int perSecond) {
        // The event loop is the test's thread: each hand-off runs at once.
        return new LiveStream(integration, perSecond, () -> now, Runnable::run, output);
    }

    InboundMessage message(double t) {
        InboundMessage m = new InboundMessage(InboundMessage.Source.MQTT, "site/devices/d1/telemetry",
                "{}".getBytes(StandardCharsets.UTF_8), null, Instant.parse("2026-12-07T10:00:00Z"), UUID.randomUUID(), integration);
        m.parsed(List.of(new Reading("d1", Instant.parse("2026-12-07T10:00:00Z"), Map.of("t", t))));
        return m;
    }

    @Test
    void aNodeKeepsAtMostItsLimitOfStreamsOpenAndAClosedOneFreesItsPlace() {
        LiveStreams streams = new LiveStreams(5, 2);
        LiveStream first = streams.open(integration, Runnable::run, output);
        streams.open(UUID.randomUUID(), Runnable::run, output);
        io.mqttintegration.runtime.http.ApiException busy = org.junit.jupiter.api.Assertions.assertThrows(
                io.mqttintegration.runtime.http.ApiException.class, () -> streams.open(integration, Runnable::run, output));
        assertEquals(503, busy.status());
        assertEquals("streams_busy", busy.code());
        assertEquals(2, streams.open(), "the refused one is not counted");
        streams.closed(first);
        streams.closed(first);
        assertEquals(1, streams.open(), "closed twice, counted once");
        streams.open(integration, Runnable::run, output);
        assertEquals(2, streams.open());
    }

    @Test
    void eachTakenMessageIsWrittenAsOneEventAtOnce() {
        LiveStream s = stream(5);
        s.offer(message(20.5));
        assertEquals(1, written.size(), "written when offered, not when more follow");
        assertTrue(written.get(0).startsWith("event: message\ndata: {"), written.get(0));
        assertTrue(written.get(0).endsWith("}\n\n"), written.get(0));
        assertTrue(written.get(0).contains("\"deviceId\":\"d1\""), written.get(0));
        assertEquals(1, s.sent());
    }

    @Test
    void beyondTheRateMessagesAreCountedAndAnnouncedAtTheNextTick() {
        LiveStream s = stream(3);
        for (int i = 0; i < 10; i++) {
            s.offer(message(i));
        }
        assertEquals(3, written.size(), "3 a second");
        s.tick();
        assertEquals("event: dropped\ndata: {\"dropped\":7}\n\n", written.get(3));
        now += TimeUnit.SECONDS.toNanos(1);
        s.offer(message(11));
        assertEquals(5, written.size(), "a new second takes messages again");
    }

    @Test
    void aClientThatDoesNotReadHasItsEventsCountedDropped() {
        LiveStream s = stream(5);
        clientReads = false;
        s.offer(message(1));
        s.offer(message(2));
        clientReads = true;
        s.tick();
        assertEquals(List.of("event: dropped\ndata: {\"dropped\":2}\n\n"), written);
    }

    @Test
    void aPingAfterFifteenSecondsOfSilenceOnly() {
        LiveStream s = stream(5);
        now += TimeUnit.SECONDS.toNanos(14);
        s.tick();
        assertEquals(List.of(), written, "no ping before 15 s");
        now += TimeUnit.SECONDS.toNanos(1);
        s.tick();
        assertEquals(List.of(": ping\n\n"), written);
        s.tick();
        assertEquals(1, written.size(), "the ping restarts the 15 s");
    }

    @Test
    void stoppingEndsTheAnswerAndWritesNothingMore() {
        LiveStream s = stream(5);
        s.stop();
        assertTrue(ended);
        s.offer(message(1));
        now += TimeUnit.SECONDS.toNanos(20);
        s.tick();
        assertEquals(List.of(), written);
    }
}
