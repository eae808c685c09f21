package io.mqttintegration.storage.tenants;

import io.mqttintegration.storage.Tenancy;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Each node's view of the subscriptions it runs ({@code subscription_nodes}, V19): written by each
 * node as the operator, all of its rows in one statement per reconciliation round; read within one
 * organization (row-level security), with whether each row's node is still live.
 */
public final class SubscriptionNodes {

    private final Tenancy tenancy;
    private final String reportSql = Sql.load("report-subscription-nodes");
    private final String listSql = Sql.load("list-subscription-nodes");
    private final String liveNodesSql = Sql.load("live-nodes");

    public SubscriptionNodes(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    /**
     * What {@code node} runs now: its row of each of these is written, its rows of any other
     * subscription removed (an empty list removes them all). One statement.
     */
    public void report(String node, List<SubscriptionState> states) {
        int n = states.size();
        UUID[] ids = new UUID[n];
        String[] state = new String[n];
        String[] connectedSince = new String[n];
        String[] lastError = new String[n];
        String[] lastErrorAt = new String[n];
        Long[] received = new Long[n];
        Long[] stored = new Long[n];
        Long[] failed = new Long[n];
        Integer[] reconnects = new Integer[n];
        for (int i = 0; i < n; i++) {
            SubscriptionState s = states.get(i);
            ids[i] = s.integrationId();
            state[i] = s.state();
            connectedSince[i] = text(s.connectedSince());
            lastError[i] = s.lastError() == null ? null : s.lastError().replace("\u0000", ""); // text rejects NUL
            lastErrorAt[i] = text(s.lastErrorAt());
            received[i] = s.received();
            stored[i] = s.stored();
            failed[i] = s.failed();
            reconnects[i] = s.reconnects();
        }
        tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(reportSql)) {
                ps.setArray(1, c.createArrayOf("uuid", ids));
                ps.setArray(2, c.createArrayOf("text", state));
                ps.setArray(3, c.createArrayOf("text", connectedSince));
                ps.setArray(4, c.createArrayOf("text", lastError));
                ps.setArray(5, c.createArrayOf("text", lastErrorAt));
                ps.setArray(6, c.createArrayOf("bigint", received));
                ps.setArray(7, c.createArrayOf("bigint", stored));
                ps.setArray(8, c.createArrayOf("bigint", failed));
                ps.setArray(9, c.createArrayOf("integer", reconnects));
                ps.setString(10, node);
                ps.setString(11, node);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Every node's row of the subscription, by node. A row is stale when its node stopped or beat
     * its last heartbeat more than {@code nodeTimeoutSeconds} ago; a node that beats none (presence
     * off) is judged by the row itself, which it writes every round. The rows are read within the
     * organization; the heartbeats (operator-only) in a second, operator transaction.
     */
    public List<SubscriptionOnNode> list(UUID organizationId, UUID integrationId, int nodeTimeoutSeconds) {
        record Row(SubscriptionOnNode row, boolean old) {
        }
        List<Row> rows = tenancy.inOrg(organizationId, c -> {
            List<Row> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(listSql)) {
                ps.setInt(1, nodeTimeoutSeconds);
                Sql.uuid(ps, 2, organizationId);
                Sql.uuid(ps, 3, integrationId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        SubscriptionState state = new SubscriptionState(integrationId, rs.getString(2), instant(rs, 3), rs.getString(4),
                                instant(rs, 5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getInt(9));
                        all.add(new Row(new SubscriptionOnNode(rs.getString(1), state, rs.getObject(10, OffsetDateTime.class), false),
                                rs.getBoolean(11)));
                    }
                }
            }
            return all;
        });
        if (rows.isEmpty()) {
            return List.of();
        }
        Map<String, Boolean> live = liveNodes(rows.stream().map(r -> r.row().node()).toList(), nodeTimeoutSeconds);
        return rows.stream().map(r -> {
            Boolean beats = live.get(r.row().node());
            boolean stale = beats == null ? r.old() : !beats;
            return new SubscriptionOnNode(r.row().node(), r.row().state(), r.row().updatedAt(), stale);
        }).toList();
    }

    /** Of these nodes, those with a heartbeat row: whether each is live. */
    private Map<String, Boolean> liveNodes(List<String> nodes, int nodeTimeoutSeconds) {
        return tenancy.asOperator(c -> {
            Map<String, Boolean> live = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(liveNodesSql)) {
                ps.setInt(1, nodeTimeoutSeconds);
                ps.setArray(2, c.createArrayOf("text", nodes.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        live.put(rs.getString(1), rs.getBoolean(2));
                    }
                }
            }
            return live;
        });
    }

    private static String text(Instant at) {
        return at == null ? null : at.toString();
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime at = rs.getObject(column, OffsetDateTime.class);
        return at == null ? null : at.toInstant();
    }
}
