package io.mqttintegration.storage.tenants;

import io.mqttintegration.storage.Tenancy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.UUID;

/** Device credentials for an integration: username and a hash of the password (see DevicePasswords). */
public final class CredentialStore {

    private final Tenancy tenancy;
    private final String insertSql = Sql.load("insert-credential");
    private final String listSql = Sql.load("list-credentials");
    private final String revokeSql = Sql.load("revoke-credential");
    private final String findDeviceSql = Sql.load("find-device-credential");
    private final String rehashSql = Sql.load("rehash-credential");
    private final String revokedSql = Sql.load("revoked-device-usernames");

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

    /** The credential with this username, revoked or not (one round trip, any organization's). */
    public Optional<DeviceCredential> device(String username) {
        return tenancy.lookup(c -> {
            try (PreparedStatement ps = c.prepareStatement(findDeviceSql)) {
                ps.setString(1, username);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new DeviceCredential(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                            rs.getObject(3, UUID.class), rs.getString(4), rs.getBoolean(5)));
                }
            }
        });
    }

    /** Replaces a credential's hash, if it is still {@code oldHash}; true when it was replaced. */
    public boolean rehash(DeviceCredential credential, String newHash) {
        return tenancy.inOrg(credential.organizationId(), c -> {
            try (PreparedStatement ps = c.prepareStatement(rehashSql)) {
                ps.setString(1, newHash);
                Sql.uuid(ps, 2, credential.organizationId());
                Sql.uuid(ps, 3, credential.id());
                ps.setString(4, credential.passwordHash());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Which of these usernames belong to revoked credentials (one round trip, any organization's). */
    public Set<String> revokedAmong(Collection<String> usernames) {
        if (usernames.isEmpty()) {
            return Set.of();
        }
        return tenancy.lookup(c -> {
            try (PreparedStatement ps = c.prepareStatement(revokedSql)) {
                Sql.textArray(ps, 1, List.copyOf(usernames));
                Set<String> revoked = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        revoked.add(rs.getString(1));
                    }
                }
                return revoked;
            }
        });
    }

    private static Credential map(ResultSet rs) throws SQLException {
        return new Credential(rs.getObject(1, UUID.class), rs.getString(2), rs.getObject(3, OffsetDateTime.class),
                rs.getObject(4, OffsetDateTime.class));
    }
}
