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

/**
 * The persistent subscriptions the service keeps open: written within one organization, read all
 * at once (as the operator) when the service starts and each time a node reconciles its routes.
 */
public final class SubscriptionStore {

    private final Tenancy tenancy;
    private final String upsertSql = Sql.load("upsert-subscription");
    private final String getSql = Sql.load("get-subscription");
    private final String deleteSql = Sql.load("delete-subscription");
    private final String listActiveSql = Sql.load("list-active-subscriptions");
    private final String claimSql = Sql.load("claim-subscription");
    private final String sessionHoldsSql = Sql.load("session-holds-filters");
    private final String sessionSubscribedSql = Sql.load("upsert-subscription-session");
    private final String sessionEndedSql = Sql.load("delete-subscription-session");

    public SubscriptionStore(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    /** Creates or replaces, on the caller's scoped transaction (with its activity row), unowned. */
    public SubscriptionRecord save(Connection c, SubscriptionRecord r) throws SQLException {
        return save(c, r, null);
    }

    /**
     * Creates or replaces, on the caller's scoped transaction.
     *
     * @param ownerNode the node that runs it if it has no shared group (null: the first node to claim it)
     */
    public SubscriptionRecord save(Connection c, SubscriptionRecord r, String ownerNode) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(upsertSql)) {
            Sql.uuid(ps, 1, r.integrationId());
            Sql.uuid(ps, 2, r.organizationId());
            Sql.textArray(ps, 3, r.topics());
            ps.setInt(4, r.qos());
            ps.setString(5, ownerNode);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return map(rs);
            }
        }
    }

    public boolean delete(Connection c, UUID organizationId, UUID integrationId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(deleteSql)) {
            Sql.uuid(ps, 1, organizationId);
            Sql.uuid(ps, 2, integrationId);
            return ps.executeUpdate() == 1;
        }
    }

    public Optional<SubscriptionRecord> get(UUID organizationId, UUID integrationId) {
        return tenancy.inOrg(organizationId, c -> {
            try (PreparedStatement ps = c.prepareStatement(getSql)) {
                Sql.uuid(ps, 1, organizationId);
                Sql.uuid(ps, 2, integrationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(map(rs)) : Optional.empty();
                }
            }
        });
    }

    /** Every subscription of an enabled integration, all organizations (the service's start). */
    public List<SubscriptionRecord> listActive() {
        return listActiveVersions().stream().map(ActiveSubscription::subscription).toList();
    }

    /** As {@link #listActive}, each with its version (the later of its and its integration's last change). */
    public List<ActiveSubscription> listActiveVersions() {
        return tenancy.asOperator(c -> {
            List<ActiveSubscription> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(listActiveSql); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(new ActiveSubscription(map(rs), rs.getObject(5, OffsetDateTime.class), rs.getString(6), rs.getString(7)));
                }
            }
            return all;
        });
    }

    /**
     * The node that runs the subscription when it has no shared group: its owner, or this node if it
     * had none (claimed in one statement, so two nodes never both win). Empty when the row is gone.
     */
    public Optional<String> claim(UUID integrationId, String node) {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(claimSql)) {
                ps.setString(1, node);
                Sql.uuid(ps, 2, integrationId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Whether the broker session of {@code clientId} was last subscribed to exactly these filters at
     * this QoS (a SUBSCRIBE it granted in full, {@link #sessionSubscribed}): then a connect that
     * finds the session present need not subscribe again.
     */
    public boolean sessionHolds(UUID integrationId, String clientId, List<String> filters, int qos) {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(sessionHoldsSql)) {
                Sql.uuid(ps, 1, integrationId);
                ps.setString(2, clientId);
                Sql.textArray(ps, 3, filters);
                ps.setInt(4, qos);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** The broker granted a SUBSCRIBE of these filters in full to the session of {@code clientId}. */
    public void sessionSubscribed(UUID integrationId, String clientId, List<String> filters, int qos) {
        tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(sessionSubscribedSql)) {
                Sql.uuid(ps, 1, integrationId);
                ps.setString(2, clientId);
                Sql.textArray(ps, 3, filters);
                ps.setInt(4, qos);
                return ps.executeUpdate();
            }
        });
    }

    /** The session of {@code clientId} was ended (or may have lost its subscriptions): forgotten. */
    public void sessionEnded(UUID integrationId, String clientId) {
        tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(sessionEndedSql)) {
                Sql.uuid(ps, 1, integrationId);
                ps.setString(2, clientId);
                return ps.executeUpdate();
            }
        });
    }

    private static SubscriptionRecord map(ResultSet rs) throws SQLException {
        return new SubscriptionRecord(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), Sql.textArray(rs, 3),
                rs.getInt(4));
    }
}
