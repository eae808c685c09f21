package io.mqttintegration.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.parsers.Reading;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch of messages in one transaction and only then completes each message's outcome:
 * one round trip when the batch is one organization's (the common case), else one INSERT per
 * organization and a COMMIT in one explicit transaction.
 * A row PostgreSQL refuses (SQLSTATE 22/23) does not fail its batch: the batch is retried one
 * message at a time and the refused one is kept in dead_letters with the reason. When the database
 * is unreachable every message of the batch fails with {@link StorageUnavailableException}.
 */
public final class MessageWriter {

    private static final Logger LOG = LoggerFactory.getLogger(MessageWriter.class);
    private static final String ROUTE_ID = "ingest-pipeline";

    private final DataSource dataSource;
    private final DeadLetterStore deadLetters;
    /** The organization's scope and its rows in one round trip (pgjdbc sends both statements before one Sync). */
    private final String insertSql = Tenancy.SCOPE + ";\n" + SqlFiles.load("insert-messages");
    /** The same, then the batch's new device keys and/or widened ts bounds, in the same round trip. */
    private final String insertDevicesSql = insertSql + ";\n" + SqlFiles.load("insert-device-catalog");
    private final String insertBoundsSql = insertSql + ";\n" + SqlFiles.load("widen-ts-bounds");
    private final String insertDevicesBoundsSql = insertDevicesSql + ";\n" + SqlFiles.load("widen-ts-bounds");
    private final String boundsSql = SqlFiles.load("widen-ts-bounds");
    private final TelemetryIndex index;

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

    /**
     * Told of the messages of each commit once their outcomes are complete, on the writer's thread
     * (device presence merges their devices' last seen into memory): it must not block.
     */
    public interface CommitListener {
        void committed(List<InboundMessage> stored);
    }

    /** Device presence, the console's live streams: each told in turn, in the order they were added. */
    private final List<CommitListener> commitListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public void onCommit(CommitListener listener) {
        commitListeners.add(listener);
    }

    public MessageWriter(DataSource dataSource, DeadLetterStore deadLetters) {
        this(dataSource, deadLetters, new TelemetryIndex());
    }

    /** @param index what this writer has already written to the device catalog and the ts bounds */
    public MessageWriter(DataSource dataSource, DeadLetterStore deadLetters, TelemetryIndex index) {
        this.dataSource = dataSource;
        this.deadLetters = deadLetters;
        this.index = index;
    }

    /** Stores the batch; never throws: the outcome of each message says what happened. */
    public void write(List<InboundMessage> batch) {
        if (batch.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            try {
                if (oneOrganization(batch)) {
                    // One round trip: with autocommit on, PostgreSQL runs the scope, the INSERT and
                    // the catalog's and bounds' additions, sent before one Sync, as one implicit
                    // transaction and commits it at the Sync; a failure rolls all back. The scope
                    // (role included) ends with it.
                    c.setAutoCommit(true);
                    TelemetryIndex.Additions added = index.additions(batch);
                    insertRows(c, batch.get(0).organizationId(), batch, added.devices(), added.bounds());
                    index.learn(added);
                } else {
                    c.setAutoCommit(false);
                    TelemetryIndex.Additions added = insert(c, batch);
                    c.commit();
                    index.learn(added);
                }
                batch.forEach(m -> m.outcome().complete(StoreOutcome.STORED));
                storedMessages.addAndGet(batch.size());
                committed(batch);
            } catch (SQLException e) {
                if (!c.getAutoCommit()) {
                    rollbackQuietly(c);
                }
                if (!SqlErrors.isRowError(e)) {
                    throw e;
                }
                LOG.warn("A row of a {}-message batch was refused ({}); storing the batch one message at a time",
                        batch.size(), SqlErrors.describe(e));
                c.setAutoCommit(false);
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

    private static boolean oneOrganization(List<InboundMessage> batch) {
        UUID first = batch.get(0).organizationId();
        for (InboundMessage m : batch) {
            if (!Objects.equals(first, m.organizationId())) {
                return false;
            }
        }
        return true;
    }

    private void writeOneByOne(Connection c, List<InboundMessage> batch) throws SQLException {
        List<InboundMessage> stored = new ArrayList<>(batch.size());
        try {
            writeOneByOne(c, batch, stored);
        } finally {
            committed(stored);
        }
    }

    /** A listener's failure is logged, never the batch's: its messages are committed. */
    private void committed(List<InboundMessage> stored) {
        if (stored.isEmpty()) {
            return;
        }
        for (CommitListener listener : commitListeners) {
            try {
                listener.committed(stored);
            } catch (RuntimeException e) {
                LOG.warn("A commit listener failed: {}", e.toString());
            }
        }
    }

    private void writeOneByOne(Connection c, List<InboundMessage> batch, List<InboundMessage> stored) throws SQLException {
        for (InboundMessage m : batch) {
            try {
                TelemetryIndex.Additions added = insert(c, List.of(m));
                c.commit();
                index.learn(added);
                m.outcome().complete(StoreOutcome.STORED);
                storedMessages.incrementAndGet();
                stored.add(m);
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
     * organization's row-level security scope (messages without one are the operator's). Returns
     * what was added to the catalog and the bounds, for the caller to learn after its commit.
     * Organizations in order, the bounds last: every transaction takes the catalog's keys in their
     * order and then the bounds' months in theirs, so two writers cannot deadlock on them.
     */
    private TelemetryIndex.Additions insert(Connection c, List<InboundMessage> batch) throws SQLException {
        Map<UUID, List<InboundMessage>> byOrganization = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
        for (InboundMessage m : batch) {
            byOrganization.computeIfAbsent(m.organizationId(), k -> new ArrayList<>()).add(m);
        }
        TelemetryIndex.Additions added = index.additions(batch);
        for (Map.Entry<UUID, List<InboundMessage>> group : byOrganization.entrySet()) {
            Map<TelemetryIndex.DeviceKey, Instant> devices = new LinkedHashMap<>();
            added.devices().forEach((key, firstSeen) -> {
                if (key.organizationId().equals(group.getKey())) {
                    devices.put(key, firstSeen);
                }
            });
            insertRows(c, group.getKey(), group.getValue(), devices, List.of());
        }
        if (!added.bounds().isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(boundsSql)) {
                bindBounds(c, ps, 1, added.bounds());
                ps.execute();
            }
        }
        return added;
    }

    /**
     * The rows of one organization's messages (a message without readings is one row), as one
     * statement, behind the statement that scopes the transaction to that organization; then, in
     * the same round trip and only when there are any, the device keys to add to the catalog and the
     * ts bounds to widen.
     */
    private void insertRows(Connection c, UUID organizationId, List<InboundMessage> batch,
            Map<TelemetryIndex.DeviceKey, Instant> newDevices, List<TelemetryIndex.MonthBounds> widened) throws SQLException {
        Rows rows = new Rows(batch.stream().mapToInt(m -> Math.max(1, m.readings().size())).sum());
        for (InboundMessage m : batch) {
            List<Reading> readings = m.readings();
            if (readings.isEmpty()) {
                rows.add(m, 0, null);
            } else {
                for (int seq = 0; seq < readings.size(); seq++) {
                    rows.add(m, seq, readings.get(seq));
                }
            }
        }
        boolean devices = !newDevices.isEmpty();
        boolean bounds = !widened.isEmpty();
        String sql = devices ? (bounds ? insertDevicesBoundsSql : insertDevicesSql) : (bounds ? insertBoundsSql : insertSql);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int p = Tenancy.bindScope(ps, 1, organizationId, organizationId == null);
            ps.setArray(p++, c.createArrayOf("uuid", rows.messageId));
            ps.setArray(p++, c.createArrayOf("int4", rows.seq));
            ps.setArray(p++, c.createArrayOf("uuid", rows.organizationId));
            ps.setArray(p++, c.createArrayOf("uuid", rows.integrationId));
            ps.setArray(p++, c.createArrayOf("text", rows.source));
            ps.setArray(p++, c.createArrayOf("text", rows.topic));
            ps.setArray(p++, c.createArrayOf("bytea", rows.payload));
            ps.setArray(p++, c.createArrayOf("text", rows.contentType));
            ps.setArray(p++, c.createArrayOf("text", rows.deviceId));
            ps.setArray(p++, c.createArrayOf("text", rows.ts));
            ps.setArray(p++, c.createArrayOf("text", rows.metrics));
            ps.setArray(p++, c.createArrayOf("text", rows.units));
            ps.setArray(p++, c.createArrayOf("text", rows.parseStatus));
            ps.setArray(p++, c.createArrayOf("text", rows.parseError));
            ps.setArray(p++, c.createArrayOf("text", rows.receivedAt));
            ps.setArray(p++, c.createArrayOf("text", rows.clientMessageId));
            if (devices) {
                p = bindDevices(c, ps, p, newDevices);
            }
            if (bounds) {
                bindBounds(c, ps, p, widened);
            }
            ps.execute();
        }
    }

    private static int bindDevices(Connection c, PreparedStatement ps, int p, Map<TelemetryIndex.DeviceKey, Instant> devices)
            throws SQLException {
        int n = devices.size();
        UUID[] organizations = new UUID[n];
        UUID[] integrations = new UUID[n];
        String[] ids = new String[n];
        String[] firstSeen = new String[n];
        int i = 0;
        for (Map.Entry<TelemetryIndex.DeviceKey, Instant> e : devices.entrySet()) {
            organizations[i] = e.getKey().organizationId();
            integrations[i] = e.getKey().integrationId();
            ids[i] = e.getKey().deviceId();
            firstSeen[i++] = e.getValue().toString();
        }
        ps.setArray(p++, c.createArrayOf("uuid", organizations));
        ps.setArray(p++, c.createArrayOf("uuid", integrations));
        ps.setArray(p++, c.createArrayOf("text", ids));
        ps.setArray(p++, c.createArrayOf("text", firstSeen));
        return p;
    }

    private static void bindBounds(Connection c, PreparedStatement ps, int p, List<TelemetryIndex.MonthBounds> bounds)
            throws SQLException {
        String[] months = new String[bounds.size()];
        String[] min = new String[bounds.size()];
        String[] max = new String[bounds.size()];
        for (int i = 0; i < bounds.size(); i++) {
            months[i] = bounds.get(i).month().toString();
            min[i] = bounds.get(i).min().toString();
            max[i] = bounds.get(i).max().toString();
        }
        ps.setArray(p++, c.createArrayOf("text", months));
        ps.setArray(p++, c.createArrayOf("text", min));
        ps.setArray(p, c.createArrayOf("text", max));
    }

    /** The columns of the rows of one statement, one array each. */
    private static final class Rows {
        final UUID[] messageId;
        final Integer[] seq;
        final UUID[] organizationId;
        final UUID[] integrationId;
        final String[] source;
        final String[] topic;
        final byte[][] payload;
        final String[] contentType;
        final String[] deviceId;
        final String[] ts;
        final String[] metrics;
        final String[] units;
        final String[] parseStatus;
        final String[] parseError;
        final String[] receivedAt;
        final String[] clientMessageId;
        private int n;

        Rows(int size) {
            messageId = new UUID[size];
            seq = new Integer[size];
            organizationId = new UUID[size];
            integrationId = new UUID[size];
            source = new String[size];
            topic = new String[size];
            payload = new byte[size][];
            contentType = new String[size];
            deviceId = new String[size];
            ts = new String[size];
            metrics = new String[size];
            units = new String[size];
            parseStatus = new String[size];
            parseError = new String[size];
            receivedAt = new String[size];
            clientMessageId = new String[size];
        }

        void add(InboundMessage m, int s, Reading reading) {
            messageId[n] = m.id();
            seq[n] = s;
            organizationId[n] = m.organizationId();
            integrationId[n] = m.integrationId();
            source[n] = m.source().name().toLowerCase(Locale.ROOT);
            topic[n] = m.topic();
            payload[n] = s == 0 ? m.payload() : null; // the payload is kept once, with the first reading
            contentType[n] = m.contentType();
            deviceId[n] = reading == null ? null : reading.deviceId();
            ts[n] = reading == null || reading.timestamp() == null ? null : reading.timestamp().toString();
            metrics[n] = reading == null ? null : json(reading.deviceId(), reading.metrics());
            units[n] = reading == null || reading.units().isEmpty() ? null : json(reading.deviceId(), reading.units());
            parseStatus[n] = m.parseStatus().name().toLowerCase(Locale.ROOT);
            parseError[n] = m.parseError() == null ? null : SqlErrors.sanitize(m.parseError());
            receivedAt[n] = m.receivedAt().toString();
            clientMessageId[n] = m.clientMessageId();
            n++;
        }
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
