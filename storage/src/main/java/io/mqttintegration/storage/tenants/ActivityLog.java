package io.mqttintegration.storage.tenants;

import io.mqttintegration.storage.Tenancy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The activity log: every operation on an integration, newest first. */
public final class ActivityLog {

    private final Tenancy tenancy;
    private final String insertSql = Sql.load("insert-activity");
    private final String listSql = Sql.load("list-activity");

    public ActivityLog(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    /** Records on the caller's scoped transaction, so the entry commits (or not) with the change. */
    public void record(Connection c, UUID organizationId, UUID integrationId, UUID actorKeyId, String actor, String action,
            String outcome, String detailJson) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insertSql)) {
            Sql.uuid(ps, 1, organizationId);
            Sql.uuid(ps, 2, integrationId);
            Sql.uuid(ps, 3, actorKeyId);
            ps.setString(4, actor);
            ps.setString(5, action);
            ps.setString(6, outcome);
            ps.setString(7, detailJson);
            ps.executeUpdate();
        }
    }

    public void record(UUID organizationId, UUID integrationId, UUID actorKeyId, String actor, String action,
            String outcome, String detailJson) {
        tenancy.inOrg(organizationId, c -> {
            record(c, organizationId, integrationId, actorKeyId, actor, action, outcome, detailJson);
            return null;
        });
    }

    public List<ActivityEntry> list(UUID organizationId, UUID integrationId, Long before, int limit) {
        return tenancy.inOrg(organizationId, c -> {
            try (PreparedStatement ps = c.prepareStatement(listSql)) {
                Sql.uuid(ps, 1, organizationId);
                Sql.uuid(ps, 2, integrationId);
                ps.setObject(3, before, Types.BIGINT);
                ps.setObject(4, before, Types.BIGINT);
                ps.setInt(5, limit);
                List<ActivityEntry> entries = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        entries.add(new ActivityEntry(rs.getLong(1), rs.getObject(2, UUID.class), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getString(6), rs.getObject(7, OffsetDateTime.class)));
                    }
                }
                return entries;
            }
        });
    }
}
