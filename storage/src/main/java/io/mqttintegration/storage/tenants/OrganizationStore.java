package io.mqttintegration.storage.tenants;

import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.Tenancy;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.sql.Types;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Organizations (tenants). Creating and listing them is the operator's. */
public final class OrganizationStore {

    private final Tenancy tenancy;
    private final String insertSql = Sql.load("insert-organization");
    private final String listSql = Sql.load("list-organizations");
    private final String getRetentionSql = Sql.load("get-organization-retention");
    private final String updateRetentionSql = Sql.load("update-organization-retention");

    public OrganizationStore(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    public Organization create(String name) {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(insertSql)) {
                ps.setObject(1, MessageIds.next());
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return map(rs);
                }
            }
        });
    }

    public List<Organization> list() {
        return tenancy.asOperator(c -> {
            List<Organization> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(listSql); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(map(rs));
                }
            }
            return all;
        });
    }

    public boolean exists(UUID id) {
        return tenancy.inOrg(id, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM organizations WHERE id = ?")) {
                Sql.uuid(ps, 1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** An organization's own retention of its messages in days: null, the node's default applies; 0, forever. */
    public record Retention(Integer days) {
    }

    /** The organization's own retention, or empty when there is no such organization visible. */
    public Optional<Retention> retentionDays(UUID org) {
        return tenancy.inOrg(org, c -> {
            try (PreparedStatement ps = c.prepareStatement(getRetentionSql)) {
                Sql.uuid(ps, 1, org);
                return retention(ps);
            }
        });
    }

    /** Sets (null: removes) the organization's own retention (operator); empty when there is no such organization. */
    public Optional<Retention> setRetentionDays(UUID org, Integer days) {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(updateRetentionSql)) {
                ps.setObject(1, days, Types.INTEGER);
                Sql.uuid(ps, 2, org);
                return retention(ps);
            }
        });
    }

    private static Optional<Retention> retention(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            int days = rs.getInt(1);
            return Optional.of(new Retention(rs.wasNull() ? null : days));
        }
    }

    private static Organization map(ResultSet rs) throws SQLException {
        return new Organization(rs.getObject(1, UUID.class), rs.getString(2), rs.getObject(3, OffsetDateTime.class));
    }
}
