package io.mqttintegration.storage.tenants;

import io.mqttintegration.storage.Tenancy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Device credentials for an integration: username and a slow password hash. */
public final class CredentialStore {

    private final Tenancy tenancy;
    private final String insertSql = Sql.load("insert-credential");
    private final String listSql = Sql.load("list-credentials");
    private final String revokeSql = Sql.load("revoke-credential");

    public CredentialStore(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    public Credential insert(Connection c, UUID id, UUID organizationId, UUID integrationId, String username,
            String passwordHash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(insertSql)) {
            Sql.uuid(ps, 1, id);
            Sql.uuid(ps, 2, organizationId);
            Sql.uuid(ps, 3, integrationId);
            ps.setString(4, username);
            ps.setString(5, passwordHash);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return map(rs);
            }
        }
    }

    public List<Credential> list(UUID organizationId, UUID integrationId) {
        return tenancy.inOrg(organizationId, c -> {
            try (PreparedStatement ps = c.prepareStatement(listSql)) {
                Sql.uuid(ps, 1, organizationId);
                Sql.uuid(ps, 2, integrationId);
                List<Credential> all = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        all.add(map(rs));
                    }
                }
                return all;
            }
        });
    }

    public boolean revoke(Connection c, UUID organizationId, UUID integrationId, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(revokeSql)) {
            Sql.uuid(ps, 1, organizationId);
            Sql.uuid(ps, 2, integrationId);
            Sql.uuid(ps, 3, id);
            return ps.executeUpdate() == 1;
        }
    }

    private static Credential map(ResultSet rs) throws SQLException {
        return new Credential(rs.getObject(1, UUID.class), rs.getString(2), rs.getObject(3, OffsetDateTime.class),
                rs.getObject(4, OffsetDateTime.class));
    }
}
