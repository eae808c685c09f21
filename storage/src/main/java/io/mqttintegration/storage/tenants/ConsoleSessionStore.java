package io.mqttintegration.storage.tenants;

import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.Tenancy;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Web console sessions (V18): found by the SHA-256 of their token, which is all that is stored.
 * Sessions are read and written as the operator: one is looked up before its organization is known.
 */
public final class ConsoleSessionStore {

    private final Tenancy tenancy;
    private final String insertSql = Sql.load("insert-console-session");
    private final String findSql = Sql.load("find-console-session");
    private final String deleteSql = Sql.load("delete-console-session");
    private final String purgeSql = Sql.load("purge-console-sessions");

    public ConsoleSessionStore(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    /** Stores a session ending {@code minutes} from the database's now; its expiry. */
    public ConsoleSession create(byte[] tokenHash, String csrfToken, boolean operator, UUID organizationId, UUID keyId,
            UUID integrationId, List<String> scopes, int minutes) {
        UUID id = MessageIds.next();
        OffsetDateTime expiresAt = tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(insertSql)) {
                ps.setObject(1, id);
                ps.setBytes(2, tokenHash);
                ps.setString(3, csrfToken);
                ps.setBoolean(4, operator);
                Sql.uuid(ps, 5, organizationId);
                Sql.uuid(ps, 6, keyId);
                ps.setInt(7, minutes);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getObject(1, OffsetDateTime.class);
                }
            }
        });
        return new ConsoleSession(id, csrfToken, operator, organizationId, keyId, integrationId, List.copyOf(scopes), expiresAt);
    }

    /** The live session of this token hash: not expired, and its key not revoked. */
    public Optional<ConsoleSession> find(byte[] tokenHash) {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(findSql)) {
                ps.setBytes(1, tokenHash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new ConsoleSession(rs.getObject(1, UUID.class), rs.getString(2), rs.getBoolean(3),
                            rs.getObject(4, UUID.class), rs.getObject(5, UUID.class), rs.getObject(6, UUID.class),
                            Sql.textArray(rs, 7), rs.getObject(8, OffsetDateTime.class)));
                }
            }
        });
    }

    /** Ends a session on every node; false if it was already gone. */
    public boolean delete(UUID id) {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(deleteSql)) {
                Sql.uuid(ps, 1, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Deletes the expired sessions; how many. */
    public int purgeExpired() {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(purgeSql)) {
                return ps.executeUpdate();
            }
        });
    }
}
