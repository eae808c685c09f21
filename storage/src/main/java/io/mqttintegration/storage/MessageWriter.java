package io.mqttintegration.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.parsers.Reading;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch of messages in one transaction and only then completes each message's outcome.
 * A row PostgreSQL refuses (SQLSTATE 22/23) does not fail its batch: the batch is retried one
 * message at a time and the refused one is kept in dead_letters with the reason. When the database
 * is unreachable every message of the batch fails with {@link StorageUnavailableException}.
 */
public final class MessageWriter {

    private static final Logger LOG = LoggerFactory.getLogger(MessageWriter.class);
    private static final String ROUTE_ID = "ingest-pipeline";

    private final DataSource dataSource;
    private final DeadLetterStore deadLetters;
    private final String insertSql = SqlFiles.load("insert-message");

    private final AtomicLong storedMessages = new AtomicLong();
    private final AtomicLong failedMessages = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private volatile int lastBatchSize;
    private volatile long lastCommitMillis;

    /** Told the size and commit time (ms) of every batch written (metrics). */
    public interface BatchListener {
        void batch(int size, long commitMillis);
    }

    private volatile BatchListener batchListener = (size, millis) -> { };

    public void onBatch(BatchListener listener) {
        this.batchListener = listener;
    }

    public MessageWriter(DataSource dataSource, DeadLetterStore deadLetters) {
        this.dataSource = dataSource;
        this.deadLetters = deadLetters;
    }

    /** Stores the batch; never throws: the outcome of each message says what happened. */
    public void write(List<InboundMessage> batch) {
        if (batch.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                insert(c, batch);
                c.commit();
                batch.forEach(m -> m.outcome().complete(StoreOutcome.STORED));
                storedMessages.addAndGet(batch.size());
            } catch (SQLException e) {
                rollbackQuietly(c);
                if (!SqlErrors.isRowError(e)) {
                    throw e;
                }
                LOG.warn("A row of a {}-message batch was refused ({}); storing the batch one message at a time",
                        batch.size(), SqlErrors.describe(e));
                writeOneByOne(c, batch);
            }
        } catch (SQLException | RuntimeException e) {
            StorageUnavailableException failure =
                    new StorageUnavailableException("database did not commit: " + SqlErrors.describe(e), e);
            long failed = batch.stream().filter(m -> m.outcome().completeExceptionally(failure)).count();
            failedMessages.addAndGet(failed);
            LOG.warn("Batch of {} messages not stored: {}", batch.size(), failure.getMessage());
        } finally {
            batches.incrementAndGet();
            lastBatchSize = batch.size();
            lastCommitMillis = (System.nanoTime() - start) / 1_000_000;
            batchListener.batch(lastBatchSize, lastCommitMillis);
        }
    }

    private void writeOneByOne(Connection c, List<InboundMessage> batch) throws SQLException {
        for (InboundMessage m : batch) {
            try {
                insert(c, List.of(m));
                c.commit();
                m.outcome().complete(StoreOutcome.STORED);
                storedMessages.incrementAndGet();
            } catch (SQLException e) {
                rollbackQuietly(c);
                if (!SqlErrors.isRowError(e)) {
                    throw e;
                }
                deadLetters.insert(c, m, SqlErrors.describe(e), ROUTE_ID);
                c.commit();
                m.outcome().complete(StoreOutcome.DEAD_LETTERED);
            }
        }
    }

    /**
     * Inserts the batch in the current transaction, one JDBC batch per organization, each under that
     * organization's row-level security scope (messages without one are the operator's).
     */
    private void insert(Connection c, List<InboundMessage> batch) throws SQLException {
        Map<UUID, List<InboundMessage>> byOrganization = new LinkedHashMap<>();
        for (InboundMessage m : batch) {
            byOrganization.computeIfAbsent(m.organizationId(), k -> new ArrayList<>()).add(m);
        }
        for (Map.Entry<UUID, List<InboundMessage>> group : byOrganization.entrySet()) {
            Tenancy.enter(c, group.getKey(), group.getKey() == null);
            insertRows(c, group.getValue());
        }
    }

    private void insertRows(Connection c, List<InboundMessage> batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insertSql)) {
            for (InboundMessage m : batch) {
                List<Reading> readings = m.readings();
                if (readings.isEmpty()) {
                    bindRow(ps, m, 0, null);
                } else {
                    for (int seq = 0; seq < readings.size(); seq++) {
                        bindRow(ps, m, seq, readings.get(seq));
                    }
                }
            }
            ps.executeBatch();
        }
    }

    private static void bindRow(PreparedStatement ps, InboundMessage m, int seq, Reading reading) throws SQLException {
        ps.setObject(1, m.id());
        ps.setInt(2, seq);
        ps.setObject(3, m.organizationId(), Types.OTHER);
        ps.setObject(4, m.integrationId(), Types.OTHER);
        ps.setString(5, m.source().name().toLowerCase(Locale.ROOT));
        ps.setString(6, m.topic());
        if (seq == 0) {
            ps.setBytes(7, m.payload());
        } else {
            ps.setNull(7, Types.BINARY);
        }
        ps.setString(8, m.contentType());
        ps.setString(9, reading == null ? null : reading.deviceId());
        ps.setObject(10, reading == null ? null : utc(reading.timestamp()), Types.TIMESTAMP_WITH_TIMEZONE);
        ps.setString(11, reading == null ? null : json(reading.deviceId(), reading.metrics()));
        ps.setString(12, reading == null || reading.units().isEmpty() ? null : json(reading.deviceId(), reading.units()));
        ps.setString(13, m.parseStatus().name().toLowerCase(Locale.ROOT));
        ps.setString(14, m.parseError() == null ? null : SqlErrors.sanitize(m.parseError()));
        ps.setObject(15, utc(m.receivedAt()), Types.TIMESTAMP_WITH_TIMEZONE);
        ps.setString(16, m.clientMessageId());
        ps.addBatch();
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static String json(String deviceId, Map<String, ?> values) {
        try {
            return Json.strict().writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a reading of " + deviceId + " cannot be written as JSON", e);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed", e);
        }
    }

    public long storedMessages() {
        return storedMessages.get();
    }

    public long failedMessages() {
        return failedMessages.get();
    }

    public long batches() {
        return batches.get();
    }

    public int lastBatchSize() {
        return lastBatchSize;
    }

    public long lastCommitMillis() {
        return lastCommitMillis;
    }
}
