package io.mqttintegration.storage.tenants;

import io.mqttintegration.storage.Tenancy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The operator's per-organization quota overrides (columns of {@code organizations}; absent from a
 * map: no override, the node's default applies) and what counts against them.
 */
public final class QuotaStore {

    private final Tenancy tenancy;
    private final String lockSql = Sql.load("lock-organization-quotas");
    private final String getSql = Sql.load("get-organization-quotas");
    private final String updateSql = Sql.load("update-organization-quotas");
    private final String usageSql = Sql.load("organization-usage");

    public QuotaStore(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    /** The overrides of an organization; empty if there is no such organization (or it is another's). */
    public Optional<Map<Quota, Integer>> overrides(UUID organizationId) {
        return tenancy.inOrg(organizationId, c -> read(c, getSql, organizationId));
    }

    /**
     * Locks the organization's row until the transaction ends (quota checks of one organization take
     * turns) and returns its overrides; empty if there is no such organization.
     */
    public Optional<Map<Quota, Integer>> lock(Connection c, UUID organizationId) throws SQLException {
        return read(c, lockSql, organizationId);
    }

    /** The counted quotas' usage; {@code exceptIntegration}'s subscription (if any) is not counted. */
    public Map<Quota, Long> usage(Connection c, UUID organizationId, UUID exceptIntegration) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(usageSql)) {
            Sql.uuid(ps, 1, organizationId);
            Sql.uuid(ps, 2, organizationId);
            Sql.uuid(ps, 3, exceptIntegration);
            Sql.uuid(ps, 4, organizationId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Map<Quota, Long> usage = new EnumMap<>(Quota.class);
                usage.put(Quota.INTEGRATIONS, rs.getLong(1));
                usage.put(Quota.SUBSCRIPTIONS, rs.getLong(2));
                usage.put(Quota.CREDENTIALS, rs.getLong(3));
                return usage;
            }
        }
    }

    public Map<Quota, Long> usage(UUID organizationId) {
        return tenancy.inOrg(organizationId, c -> usage(c, organizationId, null));
    }

    /**
     * The operator sets (a number) or clears (null: back to the default) the quotas named in
     * {@code changes}; the others stay. Returns the overrides after, or empty for no such organization.
     */
    public Optional<Map<Quota, Integer>> update(UUID organizationId, Map<Quota, Integer> changes) {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(updateSql)) {
                int i = 1;
                for (Quota q : Quota.values()) {
                    ps.setBoolean(i++, changes.containsKey(q));
                    Integer value = changes.get(q);
                    if (value == null) {
                        ps.setNull(i++, Types.INTEGER);
                    } else {
                        ps.setInt(i++, value);
                    }
                }
                Sql.uuid(ps, i, organizationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(map(rs)) : Optional.empty();
                }
            }
        });
    }

    private static Optional<Map<Quota, Integer>> read(Connection c, String sql, UUID organizationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            Sql.uuid(ps, 1, organizationId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
    }

    private static Map<Quota, Integer> map(ResultSet rs) throws SQLException {
        Map<Quota, Integer> overrides = new EnumMap<>(Quota.class);
        for (Quota q : Quota.values()) {
            int value = rs.getInt(q.ordinal() + 1);
            if (!rs.wasNull()) {
                overrides.put(q, value);
            }
        }
        return overrides;
    }
}
