package io.mqttintegration.bench;

import java.io.StringReader;
import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The database's own limit beside ours: PostgreSQL COPY (pgjdbc CopyManager) into mqtt_messages, with
 * rows like the service writes for one ~200-byte JSON message (payload, device, ts, metrics), one
 * transaction per COPY of {@code rowsPerCopy} rows, for a fixed time on each of n connections.
 * PostgreSQL refuses COPY FROM into a table with row-level security ("COPY FROM not supported with
 * row-level security") for a role it applies to, so this runs as the superuser, which RLS does not apply to.
 */
final class CopyBaseline {

    private CopyBaseline() {
    }

    /** Rows committed per second with n connections copying at once into mqtt_messages. */
    static double rate(DataSource db, String org, String integration, int connections, int seconds, int rowsPerCopy)
            throws Exception {
        return rate(db, "mqtt_messages", org, integration, connections, seconds, rowsPerCopy);
    }

    /** Rows committed per second with n connections copying at once into the given table (mqtt_messages' columns). */
    static double rate(DataSource db, String table, String org, String integration, int connections, int seconds,
            int rowsPerCopy) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(connections, r -> {
            Thread t = new Thread(r, "copy");
            t.setDaemon(true);
            return t;
        });
        List<Future<Long>> rows = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            int conn = c;
            rows.add(pool.submit(() -> {
                long n = 0;
                try (Connection connection = db.getConnection()) {
                    connection.setAutoCommit(false);
                    CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
                    while (System.nanoTime() < end) {
                        String text = rows(org, integration, conn, n, rowsPerCopy);
                        copy.copyIn("COPY " + table + " (message_id, seq, organization_id, integration_id, source, topic,"
                                + " payload, content_type, device_id, ts, metrics, parse_status, received_at) FROM STDIN",
                                new StringReader(text));
                        connection.commit();
                        n += rowsPerCopy;
                    }
                }
                return n;
            }));
        }
        long total = 0;
        for (Future<Long> f : rows) {
            total += f.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return total / elapsed;
    }

    private static String rows(String org, String integration, int conn, long from, int n) {
        StringBuilder b = new StringBuilder(n * 420);
        String now = Instant.now().toString();
        for (int i = 0; i < n; i++) {
            long seq = from + i;
            String payload = IngestBench.payload(conn, seq);
            b.append(UUID.randomUUID()).append("\t0\t").append(org).append('\t').append(integration)
                    .append("\thttp\tbench/devices/d-").append(conn).append("/telemetry\t\\\\x");
            for (byte x : payload.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                b.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
            }
            b.append("\tapplication/json\td-").append(conn).append('\t').append(now)
                    .append("\t{\"seq\": ").append(seq).append(", \"rssi\": -67, \"battery\": 3.71, \"humidity\": 40.2,"
                            + " \"pressure\": 1013.25, \"temperature\": 21.5}\tparsed\t").append(now).append('\n');
        }
        return b.toString();
    }
}
