package io.mqttintegration.runtime.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.storage.tenants.TelemetryStore;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The export's body stream, over rows made in memory: bounded buffering and release of the source. */
class ExportStreamTest {

    /** {@code count} readings, made one at a time; counts the rows taken and the closes. */
    static final class Counted implements ExportStream.Rows<TelemetryStore.Received> {
        final int count;
        final AtomicInteger taken = new AtomicInteger();
        final AtomicInteger closes = new AtomicInteger();
        RuntimeException failAt;

        Counted(int count) {
            this.count = count;
        }

        @Override
        public TelemetryStore.Received next() {
            if (closes.get() > 0) {
                throw new IllegalStateException("read after close");
            }
            int i = taken.get();
            if (failAt != null && i == count / 2) {
                throw failAt;
            }
            if (i == count) {
                return null;
            }
            taken.incrementAndGet();
            return new TelemetryStore.Received(new TelemetryStore.Row("device-" + i, Instant.EPOCH.plusSeconds(i),
                    "{\"temperature\": " + i + ", \"humidity\": 40}", null, "farm/devices/device-" + i + "/telemetry",
                    UUID.randomUUID(), null, 0), Instant.EPOCH.plusSeconds(i));
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    @Test
    void aMillionRowsPassThroughABufferOfOneChunk() throws Exception {
        Counted rows = new Counted(1_000_000);
        ExportStream<TelemetryStore.Received> stream = new ExportStream<>(rows, ExportLines.readings(ExportLines.Format.CSV));
        byte[] chunk = new byte[8192];
        long bytes = 0;
        int lines = 0;
        for (int n = stream.read(chunk); n >= 0; n = stream.read(chunk)) {
            bytes += n;
            for (int i = 0; i < n; i++) {
                lines += chunk[i] == '\n' ? 1 : 0;
            }
            assertTrue(rows.taken.get() * 100L <= bytes + ExportStream.CHUNK * 2L, "rows are taken as the bytes are read, not ahead");
        }
        assertEquals(1_000_001, lines, "a header and every row");
        assertTrue(bytes > 100_000_000, "more than 100 MB went through: " + bytes);
        assertTrue(stream.largestBuffer() <= ExportStream.CHUNK + 8 * 1024,
                "the buffer never grew beyond one chunk and a row: " + stream.largestBuffer());
        assertEquals(1, rows.closes.get(), "released after the last row");
        stream.close();
        assertEquals(1, rows.closes.get(), "once");
    }

    @Test
    void closeOrAbortBeforeTheEndReleasesTheRowsAndEndsTheStream() throws Exception {
        Counted rows = new Counted(100_000);
        InputStream stream = new ExportStream<>(rows, ExportLines.readings(ExportLines.Format.NDJSON));
        stream.read(new byte[100]);
        stream.close();
        assertEquals(1, rows.closes.get());
        assertEquals(-1, stream.read(new byte[100]), "nothing more after close");
        Counted aborted = new Counted(100_000);
        ExportStream<TelemetryStore.Received> other = new ExportStream<>(aborted, ExportLines.readings(ExportLines.Format.CSV));
        other.read(new byte[100]);
        other.abort();
        assertEquals(1, aborted.closes.get(), "the client went away between reads: released at once");
    }

    @Test
    void aFailingSourceFailsTheReadAndIsReleased() throws Exception {
        Counted rows = new Counted(100_000);
        rows.failAt = new IllegalStateException("database refused the statement");
        ExportStream<TelemetryStore.Received> stream = new ExportStream<>(rows, ExportLines.readings(ExportLines.Format.CSV));
        AtomicInteger cuts = new AtomicInteger();
        stream.onFailure(cuts::incrementAndGet);
        byte[] chunk = new byte[8192];
        IOException e = assertThrows(IOException.class, () -> {
            while (stream.read(chunk) >= 0) {
                // read until it fails
            }
        });
        assertTrue(e.getMessage().contains("database refused"), e.getMessage());
        assertEquals(1, rows.closes.get());
        assertEquals(1, cuts.get(), "the connection is cut before the failure goes on");
    }
}
