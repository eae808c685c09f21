package io.mqttintegration.storage;

import io.mqttintegration.storage.tenants.TelemetryStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The telemetry answers computed the plain way, straight from mqtt_messages (no catalog, no bounds,
 * any schema version): what a migration test compares the service's queries with after migrating.
 */
final class ReferenceQueries {

    private ReferenceQueries() {
    }

    /** Each device's newest reading time, "device@ts", by device. */
    static List<String> latest(Tenancy tenancy, UUID org, UUID integration) {
        return strings(tenancy, org, "SELECT DISTINCT ON (device_id) device_id || '@' || to_char(ts AT TIME ZONE 'UTC',"
                + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US') FROM mqtt_messages WHERE device_id IS NOT NULL"
                + " AND (?::uuid IS NULL OR integration_id = ?::uuid) ORDER BY device_id, ts DESC", integration, null, null);
    }

    /** "message/seq" of the readings of [from, to), newest first, at most limit. */
    static List<String> readings(Tenancy tenancy, UUID org, UUID integration, Instant from, Instant to, int limit) {
        return strings(tenancy, org, "SELECT message_id || '/' || seq FROM mqtt_messages WHERE device_id IS NOT NULL"
                + " AND (?::uuid IS NULL OR integration_id = ?::uuid) AND ts >= ? AND ts < ?"
                + " ORDER BY ts DESC, message_id DESC, seq DESC LIMIT " + limit, integration, from, to);
    }

    /** "bucket-start|count" of one day buckets of metric v over [from, to). */
    static List<String> dailyCounts(Tenancy tenancy, UUID org, UUID integration, Instant from, Instant to) {
        return strings(tenancy, org, "SELECT to_char(date_bin('1 day', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AT TIME ZONE 'UTC',"
                + " 'YYYY-MM-DD HH24:MI:SS') AS b, count(*)"
                + " FROM mqtt_messages WHERE jsonb_typeof(metrics->'v') = 'number' AND (?::uuid IS NULL OR integration_id = ?::uuid)"
                + " AND ts >= ? AND ts < ? GROUP BY b ORDER BY b", integration, from, to);
    }

    static List<String> latest(List<TelemetryStore.Row> rows) {
        return rows.stream().map(r -> r.deviceId() + "@" + r.timestamp().atOffset(ZoneOffset.UTC).toLocalDateTime()
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS"))).toList();
    }

    static List<String> readings(List<TelemetryStore.Row> rows) {
        return rows.stream().map(r -> r.messageId() + "/" + r.seq()).toList();
    }

    static List<String> dailyCounts(List<TelemetryStore.Bucket> buckets) {
        return buckets.stream().map(b -> b.start().atOffset(ZoneOffset.UTC).toLocalDateTime()
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")) + "|" + b.count()).toList();
    }

    private static List<String> strings(Tenancy tenancy, UUID org, String sql, UUID integration, Instant from, Instant to) {
        return tenancy.inOrg(org, c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, integration, Types.OTHER);
                ps.setObject(2, integration, Types.OTHER);
                if (from != null) {
                    ps.setObject(3, from.atOffset(ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
                    ps.setObject(4, to.atOffset(ZoneOffset.UTC), Types.TIMESTAMP_WITH_TIMEZONE);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1) + (rs.getMetaData().getColumnCount() > 1 ? "|" + rs.getString(2) : ""));
                    }
                }
            }
            return out;
        });
    }
}
