package io.mqttintegration.storage.tenants;

import io.mqttintegration.storage.Tenancy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Integrations, always read and written within one organization. */
public final class IntegrationStore {

    private final Tenancy tenancy;
    private final String insertSql = Sql.load("insert-integration");
    private final String getSql = Sql.load("get-integration");
    private final String listSql = Sql.load("list-integrations");
    private final String updateSql = Sql.load("update-integration");
    private final String deleteSql = Sql.load("delete-integration");
    private final String listAllSql = Sql.load("list-all-integrations");
    private final String findSql = Sql.load("find-integration");

    public IntegrationStore(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    /** Inserts on the caller's scoped transaction (so the activity row commits with it). */
    public IntegrationRecord insert(Connection c, IntegrationRecord r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insertSql)) {
            Sql.uuid(ps, 1, r.id());
            Sql.uuid(ps, 2, r.organizationId());
            ps.setString(3, r.name());
            ps.setString(4, r.type());
            ps.setString(5, r.settingsJson());
            ps.setBytes(6, r.sealedSecrets());
            ps.setBoolean(7, r.enabled());
            return single(ps).orElseThrow();
        }
    }

    public Optional<IntegrationRecord> get(UUID organizationId, UUID id) {
        return tenancy.inOrg(organizationId, c -> get(c, organizationId, id));
    }

    public Optional<IntegrationRecord> get(Connection c, UUID organizationId, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(getSql)) {
            Sql.uuid(ps, 1, organizationId);
            Sql.uuid(ps, 2, id);
            return single(ps);
        }
    }

    /** A page in id order (ids are time-ordered), after the given id. */
    public List<IntegrationRecord> list(UUID organizationId, UUID after, int limit) {
        return tenancy.inOrg(organizationId, c -> {
            try (PreparedStatement ps = c.prepareStatement(listSql)) {
                Sql.uuid(ps, 1, organizationId);
                Sql.uuid(ps, 2, after);
                Sql.uuid(ps, 3, after);
                ps.setInt(4, limit);
                List<IntegrationRecord> page = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        page.add(map(rs));
                    }
                }
                return page;
            }
        });
    }

    /** Operator view (the console): integrations of every organization, or of one when given. */
    public List<IntegrationRecord> listAll(UUID organizationIdOrNull, int limit) {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(listAllSql)) {
                Sql.uuid(ps, 1, organizationIdOrNull);
                Sql.uuid(ps, 2, organizationIdOrNull);
                ps.setInt(3, limit);
                List<IntegrationRecord> all = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        all.add(map(rs));
                    }
                }
                return all;
            }
        });
    }

    /** Operator view (the console): one integration by id, whichever organization owns it. */
    public Optional<IntegrationRecord> find(UUID id) {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(findSql)) {
                Sql.uuid(ps, 1, id);
                return single(ps);
            }
        });
    }

    public Optional<IntegrationRecord> update(Connection c, IntegrationRecord r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(updateSql)) {
            ps.setString(1, r.name());
            ps.setString(2, r.settingsJson());
            ps.setBytes(3, r.sealedSecrets());
            ps.setBoolean(4, r.enabled());
            Sql.uuid(ps, 5, r.organizationId());
            Sql.uuid(ps, 6, r.id());
            return single(ps);
        }
    }

    public boolean delete(Connection c, UUID organizationId, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(deleteSql)) {
            Sql.uuid(ps, 1, organizationId);
            Sql.uuid(ps, 2, id);
            return ps.executeUpdate() == 1;
        }
    }

    private static Optional<IntegrationRecord> single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(map(rs)) : Optional.empty();
        }
    }

    private static IntegrationRecord map(ResultSet rs) throws SQLException {
        return new IntegrationRecord(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                rs.getString(4), rs.getString(5), rs.getBytes(6), rs.getBoolean(7), rs.getObject(8, OffsetDateTime.class),
                rs.getObject(9, OffsetDateTime.class));
    }
}
