package io.mqttintegration.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Reading;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class MessageWriterTest {

    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    private DataSource ds;
    private DeadLetterStore deadLetters;
    private MessageWriter writer;

    @BeforeEach
    void setUp() {
        ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        deadLetters = new DeadLetterStore(ds);
        writer = new MessageWriter(ds, deadLetters);
    }

    private static InboundMessage message(String topic, String payload) {
        return new InboundMessage(InboundMessage.Source.HTTP, topic, payload.getBytes(StandardCharsets.UTF_8),
                "application/json", NOW, null, null);
    }

    @Test
    void storesABatchWithOneRowPerReadingAndCompletesOutcomesAfterCommit() throws Exception {
        InboundMessage one = message("devices/a/t", "{\"v\":1}");
        one.parsed(List.of(new Reading("a", NOW, Map.of("v", BigDecimal.ONE))));
        InboundMessage two = message("devices/gw/t", "[...]");
        two.parsed(List.of(new Reading("b", NOW, Map.of("v", 2), Map.of("v", "V")), new Reading("c", NOW.plusSeconds(1), Map.of("on", true))));
        InboundMessage broken = message("devices/x/t", "{oops");
        broken.parseFailed("payload is not valid JSON");

        writer.write(List.of(one, two, broken));

        for (InboundMessage m : List.of(one, two, broken)) {
            assertEquals(StoreOutcome.STORED, m.outcome().getNow(null), m + " must be completed by the commit");
        }
        assertEquals(List.of(
                "a|0|parsed|{\"v\": 1}|true",
                "b|0|parsed|{\"v\": 2}|true|{\"v\": \"V\"}",
                "c|1|parsed|{\"on\": true}|false",
                "null|0|failed|null|true"), rows(ds));
        assertEquals(3, writer.storedMessages());
    }

    @Test
    void aRowPostgresRefusesBecomesADeadLetterAndTheRestOfTheBatchIsStored() throws Exception {
        InboundMessage good1 = message("devices/a/t", "{}");
        InboundMessage poison = message("devices/b/t", "{}");
        // numeric overflows jsonb's numeric: SQLSTATE 22003 fails the whole JDBC batch
        poison.parsed(List.of(new Reading("b", NOW, Map.of("v", new BigDecimal("1e999999")))));
        InboundMessage good2 = message("devices/c/t", "{}");

        writer.write(List.of(good1, poison, good2));

        assertEquals(StoreOutcome.STORED, good1.outcome().get());
        assertEquals(StoreOutcome.DEAD_LETTERED, poison.outcome().get());
        assertEquals(StoreOutcome.STORED, good2.outcome().get());
        assertEquals(2, rows(ds).size(), "the other messages of the batch are stored");
        assertEquals(1, deadLetters.kept());
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT message_id, topic, reason, route_id FROM dead_letters")) {
            rs.next();
            assertEquals(poison.id(), rs.getObject(1));
            assertEquals("devices/b/t", rs.getString(2));
            assertEquals("ingest-pipeline", rs.getString(4));
        }
    }

    @Test
    void unreachableDatabaseFailsEveryMessageOfTheBatch() {
        PGSimpleDataSource down = new PGSimpleDataSource();
        down.setServerNames(new String[] {"127.0.0.1"});
        down.setPortNumbers(new int[] {1});
        down.setConnectTimeout(2);
        MessageWriter offline = new MessageWriter(down, new DeadLetterStore(down));
        InboundMessage m = message("devices/a/t", "{}");

        offline.write(List.of(m));

        ExecutionException e = assertThrows(ExecutionException.class, () -> m.outcome().get());
        assertInstanceOf(StorageUnavailableException.class, e.getCause());
        assertEquals(1, offline.failedMessages());
    }

    private static List<String> rows(DataSource ds) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT device_id, seq, parse_status, metrics::text, payload IS NOT NULL, units::text"
                        + " FROM mqtt_messages ORDER BY device_id NULLS LAST, seq")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "|" + rs.getInt(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|"
                        + rs.getBoolean(5) + (rs.getString(6) == null ? "" : "|" + rs.getString(6)));
            }
        }
        return rows;
    }
}
