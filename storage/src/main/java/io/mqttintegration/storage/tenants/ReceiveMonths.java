package io.mqttintegration.storage.tenants;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The receive months that can hold a reading of a query's time range, newest first: the months of
 * {@code mqtt_ts_bounds} (V13) whose bounds meet the range, each with the newest reading time received
 * in it. From them come the receive times a readings query reads, so that PostgreSQL reads only those
 * months' partitions of {@code mqtt_messages} (partitioned by {@code received_at}, not by the reading
 * time {@code ts} the queries filter and order on).
 *
 * <p>Newest first, without reading every month: the {@link #RECENT} newest months are read first. If
 * they hold the whole page, its last reading time {@code t} decides what else can belong: only a month
 * whose bounds reach {@code t} can hold a reading that newer ({@link #reaching}); usually none is
 * older than the recent ones, and the page stands.
 *
 * @param newestFirst the months whose bounds meet the range, newest first
 */
public record ReceiveMonths(List<Month> newestFirst) {

    /** How many of the newest months a newest-first query reads first. */
    static final int RECENT = 2;

    private static final String SQL = Sql.load("receive-months");

    /** A receive month (UTC, its first day) and the newest reading time received in it (rounded up). */
    public record Month(LocalDate month, Instant maxTs) {
        Instant start() {
            return month.atStartOfDay(ZoneOffset.UTC).toInstant();
        }

        Instant end() {
            return month.plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        }
    }

    /** Receive times [from, to). */
    public record Span(Instant from, Instant to) {
    }

    public ReceiveMonths {
        newestFirst = List.copyOf(newestFirst);
        for (int i = 1; i < newestFirst.size(); i++) {
            if (!newestFirst.get(i).month().isBefore(newestFirst.get(i - 1).month())) {
                throw new IllegalArgumentException("months not newest first: " + newestFirst);
            }
        }
    }

    /**
     * The months whose bounds meet the reading times [from, to) and do not start after upTo (the
     * time of the cursor a next page starts after), read in the caller's transaction. Any may be null.
     */
    public static ReceiveMonths read(Connection c, Instant from, Instant to, Instant upTo) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
            int i = 1;
            for (Instant t : new Instant[] {from, from, to, to, upTo, upTo}) {
                ps.setObject(i++, t == null ? null : t.atOffset(ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
            }
            List<Month> months = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    months.add(new Month(rs.getObject(1, LocalDate.class), rs.getObject(2, OffsetDateTime.class).toInstant()));
                }
            }
            return new ReceiveMonths(months);
        }
    }

    /** No month can hold a reading of the range: nothing to read. */
    public boolean isEmpty() {
        return newestFirst.isEmpty();
    }

    /** Every month: from the start of the oldest to the end of the newest. */
    public Span all() {
        return new Span(newestFirst.get(newestFirst.size() - 1).start(), newestFirst.get(0).end());
    }

    /** The {@link #RECENT} newest months, when there are older ones too (else {@link #all} is as cheap). */
    public Optional<Span> recent() {
        return newestFirst.size() <= RECENT ? Optional.empty()
                : Optional.of(new Span(newestFirst.get(RECENT - 1).start(), newestFirst.get(0).end()));
    }

    /**
     * What to read again when the {@link #recent} months gave a whole page whose last reading time is
     * {@code t}: from the oldest earlier month whose bounds reach {@code t} (it may hold a reading at
     * {@code t} or newer) to the end of the newest; empty when no earlier month reaches it, and the
     * recent months' page is the answer.
     */
    public Optional<Span> reaching(Instant t) {
        Month oldest = null;
        for (Month m : newestFirst.subList(Math.min(RECENT, newestFirst.size()), newestFirst.size())) {
            if (!m.maxTs().isBefore(t)) {
                oldest = m;
            }
        }
        return oldest == null ? Optional.empty() : Optional.of(new Span(oldest.start(), newestFirst.get(0).end()));
    }
}
