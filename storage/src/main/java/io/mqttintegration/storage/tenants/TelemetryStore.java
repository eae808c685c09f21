package io.mqttintegration.storage.tenants;

import io.mqttintegration.storage.Tenancy;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Reads readings and raw messages back, always within one organization. */
public final class TelemetryStore {

    /** One stored reading. */
    public record Row(String deviceId, Instant timestamp, String metricsJson, String unitsJson, String topic,
            UUID integrationId, UUID messageId, int seq) {
    }

    /** Where the previous page ended (exclusive). */
    public record After(Instant timestamp, UUID messageId, int seq) {
    }

    /** One time bucket of one metric. */
    public record Bucket(Instant start, long count, BigDecimal avg, BigDecimal min, BigDecimal max) {
    }

    /** One stored message, as received. */
    public record Message(UUID messageId, UUID integrationId, String source, String topic, String contentType,
            byte[] payload, String parseStatus, String parseError, Instant receivedAt) {
    }

    /** One exported reading: a stored reading and when its message was received. */
    public record Received(Row reading, Instant receivedAt) {
    }

    /** Rows a cursor of an export fetches per round trip. */
    static final int EXPORT_FETCH_SIZE = 1_000;

    private final Tenancy tenancy;
    private final String readingsSql = Sql.load("telemetry-readings");
    private final String latestSql = Sql.load("telemetry-latest");
    private final String aggregateSql = Sql.load("telemetry-aggregate");
    private final String messagesSql = Sql.load("list-messages");
    private final String exportReadingsSql = Sql.load("export-readings");
    private final String exportMessagesSql = Sql.load("export-messages");

    public TelemetryStore(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    /**
     * Readings newest first ({@code limit} of them), after the cursor when given. Read from the receive
     * months that can hold them ({@link ReceiveMonths}): the two newest of them first,
     * and the older ones only when they could hold a reading of the page.
     *
     * <p>Two or three statements in one transaction (READ COMMITTED): a reading committed before the
     * request is always found; one committed while it runs may or may not be.
     */
    public List<Row> readings(UUID org, UUID integration, String device, String metric, Instant from, Instant to,
            After after, int limit) {
        Filter filter = new Filter(org, integration, device, metric, to, after, limit);
        return tenancy.inOrg(org, c -> {
            ReceiveMonths months = ReceiveMonths.read(c, from, to, after == null ? null : after.timestamp());
            if (months.isEmpty()) {
                return List.of();
            }
            Optional<ReceiveMonths.Span> recent = months.recent();
            if (recent.isPresent()) {
                List<Row> page = readings(c, filter, from, recent.get());
                if (page.size() == limit) {
                    Instant last = page.get(limit - 1).timestamp();
                    Optional<ReceiveMonths.Span> again = months.reaching(last);
                    if (again.isEmpty()) {
                        return page;
                    }
                    // every reading of the page is at or after last: the older months from there on
                    return readings(c, filter, from == null || from.isBefore(last) ? last : from, again.get());
                }
            }
            return readings(c, filter, from, months.all());
        });
    }

    /** What a readings query asks for, besides its lower time bound and the receive times it reads. */
    private record Filter(UUID org, UUID integration, String device, String metric, Instant to, After after, int limit) {
    }

    private List<Row> readings(Connection c, Filter f, Instant from, ReceiveMonths.Span received) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(readingsSql)) {
            int i = 1;
            Sql.uuid(ps, i++, f.org());
            ps.setObject(i++, utc(received.from()), Types.TIMESTAMP_WITH_TIMEZONE);
            ps.setObject(i++, utc(received.to()), Types.TIMESTAMP_WITH_TIMEZONE);
            i = pair(ps, i, f.integration(), Types.OTHER);
            i = pair(ps, i, f.device(), Types.VARCHAR);
            i = pair(ps, i, f.metric(), Types.VARCHAR);
            i = pair(ps, i, utc(from), Types.TIMESTAMP_WITH_TIMEZONE);
            i = pair(ps, i, utc(f.to()), Types.TIMESTAMP_WITH_TIMEZONE);
            After after = f.after();
            ps.setObject(i++, after == null ? null : utc(after.timestamp()), Types.TIMESTAMP_WITH_TIMEZONE);
            ps.setObject(i++, after == null ? null : utc(after.timestamp()), Types.TIMESTAMP_WITH_TIMEZONE);
            ps.setObject(i++, after == null ? null : after.messageId(), Types.OTHER);
            ps.setObject(i++, after == null ? null : after.seq(), Types.INTEGER);
            ps.setInt(i, f.limit());
            return rows(ps);
        }
    }

    /** The newest reading of each device of the organization (of one integration, when given). */
    public List<Row> latest(UUID org, UUID integration) {
        return tenancy.inOrg(org, c -> {
            try (PreparedStatement ps = c.prepareStatement(latestSql)) {
                // the catalog's devices, then each one's two steps (telemetry-latest.sql)
                for (int i = 1; i <= 9; i += 3) {
                    Sql.uuid(ps, i, org);
                    pair(ps, i + 1, integration, Types.OTHER);
                }
                return rows(ps);
            }
        });
    }

    public List<Bucket> aggregate(UUID org, UUID integration, String device, String metric, Instant from, Instant to,
            String interval) {
        return tenancy.inOrg(org, c -> {
            try (PreparedStatement ps = c.prepareStatement(aggregateSql)) {
                int i = 1;
                ps.setObject(i++, utc(from), Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setObject(i++, utc(to), Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setString(i++, interval);
                ps.setString(i++, metric);
                ps.setString(i++, metric);
                ps.setString(i++, metric);
                Sql.uuid(ps, i++, org);
                i = pair(ps, i, integration, Types.OTHER);
                i = pair(ps, i, device, Types.VARCHAR);
                ps.setString(i++, metric);
                ps.setObject(i++, utc(from), Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setObject(i, utc(to), Types.TIMESTAMP_WITH_TIMEZONE);
                List<Bucket> buckets = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        buckets.add(new Bucket(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getLong(2),
                                rs.getBigDecimal(3), rs.getBigDecimal(4), rs.getBigDecimal(5)));
                    }
                }
                return buckets;
            }
        });
    }

    public List<Message> messages(UUID org, UUID integration, String topic, Instant from, Instant to, Instant afterTime,
            UUID afterId, int limit) {
        return tenancy.inOrg(org, c -> {
            try (PreparedStatement ps = c.prepareStatement(messagesSql)) {
                int i = 1;
                Sql.uuid(ps, i++, org);
                i = pair(ps, i, integration, Types.OTHER);
                i = pair(ps, i, topic, Types.VARCHAR);
                i = pair(ps, i, utc(from), Types.TIMESTAMP_WITH_TIMEZONE);
                i = pair(ps, i, utc(to), Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setObject(i++, utc(afterTime), Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setObject(i++, utc(afterTime), Types.TIMESTAMP_WITH_TIMEZONE);
                ps.setObject(i++, afterId, Types.OTHER);
                ps.setInt(i, limit);
                List<Message> messages = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        messages.add(message(rs));
                    }
                }
                return messages;
            }
        });
    }

    /**
     * One integration's readings received in [from, to), oldest first, through a server-side
     * cursor the caller must close (it holds a connection and a transaction until then).
     */
    public ExportCursor<Received> exportReadings(UUID org, UUID integration, String device, Instant from, Instant to) {
        return ExportCursor.open(tenancy, org, exportReadingsSql, EXPORT_FETCH_SIZE, ps -> {
            int i = 1;
            Sql.uuid(ps, i++, org);
            Sql.uuid(ps, i++, integration);
            i = pair(ps, i, device, Types.VARCHAR);
            ps.setObject(i++, utc(from), Types.TIMESTAMP_WITH_TIMEZONE);
            ps.setObject(i, utc(to), Types.TIMESTAMP_WITH_TIMEZONE);
        }, rs -> new Received(new Row(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getObject(6, UUID.class), null, 0),
                rs.getObject(7, OffsetDateTime.class).toInstant()));
    }

    /** One integration's messages received in [from, to), oldest first; see {@link #exportReadings}. */
    public ExportCursor<Message> exportMessages(UUID org, UUID integration, Instant from, Instant to) {
        return ExportCursor.open(tenancy, org, exportMessagesSql, EXPORT_FETCH_SIZE, ps -> {
            Sql.uuid(ps, 1, org);
            Sql.uuid(ps, 2, integration);
            ps.setObject(3, utc(from), Types.TIMESTAMP_WITH_TIMEZONE);
            ps.setObject(4, utc(to), Types.TIMESTAMP_WITH_TIMEZONE);
        }, TelemetryStore::message);
    }

    /** Binds an optional filter twice ({@code ? IS NULL OR column = ?}); returns the next index. */
    private static int pair(PreparedStatement ps, int index, Object value, int type) throws SQLException {
        ps.setObject(index, value, type);
        ps.setObject(index + 1, value, type);
        return index + 2;
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    private static Message message(ResultSet rs) throws SQLException {
        return new Message(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getBytes(6), rs.getString(7), rs.getString(8), rs.getObject(9, OffsetDateTime.class).toInstant());
    }

    private static List<Row> rows(PreparedStatement ps) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(new Row(rs.getString(1), rs.getObject(2, OffsetDateTime.class).toInstant(), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getObject(6, UUID.class), rs.getObject(7, UUID.class),
                        rs.getInt(8)));
            }
        }
        return rows;
    }
}
