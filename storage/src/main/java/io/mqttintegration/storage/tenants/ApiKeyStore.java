package io.mqttintegration.storage.tenants;

import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.Tenancy;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** API keys: the prefix to find one, the keyed hash to check it, scopes, revocation. */
public final class ApiKeyStore {

    private final Tenancy tenancy;
    private final String insertSql = Sql.load("insert-api-key");
    private final String listSql = Sql.load("list-api-keys");
    private final String revokeSql = Sql.load("revoke-api-key");
    private final String findSql = Sql.load("find-api-key");

    public ApiKeyStore(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    public ApiKeyRecord create(UUID organizationId, String name, List<String> scopes, UUID integrationId, String prefix,
            byte[] hash) {
        return tenancy.inOrg(organizationId, c -> {
            try (PreparedStatement ps = c.prepareStatement(insertSql)) {
                ps.setObject(1, MessageIds.next());
                Sql.uuid(ps, 2, organizationId);
                Sql.uuid(ps, 3, integrationId);
                ps.setString(4, name);
                ps.setString(5, prefix);
                ps.setBytes(6, hash);
                Sql.textArray(ps, 7, scopes);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return map(rs);
                }
            }
        });
    }

    public List<ApiKeyRecord> list(UUID organizationId) {
        return tenancy.inOrg(organizationId, c -> {
            List<ApiKeyRecord> keys = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(listSql)) {
                Sql.uuid(ps, 1, organizationId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        keys.add(map(rs));
                    }
                }
            }
            return keys;
        });
    }

    /** Revokes at once; false when the organization has no such live key. */
    public boolean revoke(UUID organizationId, UUID id) {
        return tenancy.inOrg(organizationId, c -> {
            try (PreparedStatement ps = c.prepareStatement(revokeSql)) {
                Sql.uuid(ps, 1, organizationId);
                Sql.uuid(ps, 2, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** The live key with this prefix, whichever organization has it (authentication's lookup). */
    public Optional<StoredKey> findLive(String prefix) {
        return tenancy.lookup(c -> {
            try (PreparedStatement ps = c.prepareStatement(findSql)) {
                ps.setString(1, prefix);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new StoredKey(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class),
                            rs.getObject(3, UUID.class), Sql.textArray(rs, 4), rs.getBytes(5)));
                }
            }
        });
    }

    private static ApiKeyRecord map(ResultSet rs) throws SQLException {
        return new ApiKeyRecord(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
                rs.getString(4), rs.getString(5), Sql.textArray(rs, 6), rs.getObject(7, OffsetDateTime.class),
                rs.getObject(8, OffsetDateTime.class));
    }
}
