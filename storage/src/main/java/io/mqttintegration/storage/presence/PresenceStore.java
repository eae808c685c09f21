package io.mqttintegration.storage.presence;

import io.mqttintegration.storage.SqlFiles;
import io.mqttintegration.storage.Tenancy;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Device presence in PostgreSQL, as the operator (every organization's devices): the service nodes'
 * heartbeats, last seen, hosted connections, the sweep (inactivity, lost nodes), the bounded history
 * and the devices connected to the other nodes. Each call is one statement (and its scope) whatever
 * the number of devices: the rows travel as arrays. Every statement that changes a device's state
 * records the transition and its sinks' events in the same statement (presence-transitions.sql).
 */
public final class PresenceStore {

    private static final String TRANSITIONS = SqlFiles.load("presence-transitions");

    private final Tenancy tenancy;
    private final String beatSql = SqlFiles.load("presence-beat");
    private final String nodeStoppedSql = SqlFiles.load("presence-node-stopped");
    private final String seenSql = withTransitions("presence-seen");
    private final String connectionsSql = withTransitions("presence-connections");
    private final String sweepSql = withTransitions("presence-sweep");
    private final String releaseNodeSql = withTransitions("presence-release-node");
    private final String trimSql = SqlFiles.load("presence-trim");
    private final String elsewhereSql = SqlFiles.load("presence-elsewhere");

    public PresenceStore(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    private static String withTransitions(String name) {
        return SqlFiles.load(name) + "\n" + TRANSITIONS;
    }

    /** This node's heartbeat; {@code starting}: its start time too. */
    public void beat(String node, boolean starting) {
        tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(beatSql)) {
                ps.setString(1, node);
                ps.setBoolean(2, starting);
                return ps.executeUpdate();
            }
        });
    }

    /** A clean stop of this node: it beats no more, and is not taken for lost. */
    public void nodeStopped(String node) {
        tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(nodeStoppedSql)) {
                ps.setString(1, node);
                return ps.executeUpdate();
            }
        });
    }

    /** Last seen of each device (one entry per device); offline or new devices come online. */
    public List<Transition> seen(Collection<Seen> devices) {
        if (devices.isEmpty()) {
            return List.of();
        }
        int n = devices.size();
        UUID[] organizations = new UUID[n];
        UUID[] integrations = new UUID[n];
        String[] ids = new String[n];
        String[] sources = new String[n];
        String[] at = new String[n];
        int i = 0;
        for (Seen s : devices) {
            organizations[i] = s.organizationId();
            integrations[i] = s.integrationId();
            ids[i] = s.deviceId();
            sources[i] = s.source();
            at[i++] = s.at().toString();
        }
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(seenSql)) {
                ps.setArray(1, c.createArrayOf("uuid", organizations));
                ps.setArray(2, c.createArrayOf("uuid", integrations));
                ps.setArray(3, c.createArrayOf("text", ids));
                ps.setArray(4, c.createArrayOf("text", sources));
                ps.setArray(5, c.createArrayOf("text", at));
                return transitions(ps);
            }
        });
    }

    /**
     * Hosted connections admitted and ended on {@code node}, at most one per device (the caller
     * splits a flush where one device has more, in their order).
     */
    public List<Transition> connections(String node, List<ConnectionChange> changes) {
        if (changes.isEmpty()) {
            return List.of();
        }
        int n = changes.size();
        String[] kinds = new String[n];
        UUID[] organizations = new UUID[n];
        UUID[] integrations = new UUID[n];
        String[] ids = new String[n];
        String[] connections = new String[n];
        String[] clients = new String[n];
        String[] remotes = new String[n];
        String[] at = new String[n];
        String[] reasons = new String[n];
        Boolean[] wills = new Boolean[n];
        for (int i = 0; i < n; i++) {
            ConnectionChange e = changes.get(i);
            kinds[i] = e.connect() ? "connect" : "disconnect";
            organizations[i] = e.organizationId();
            integrations[i] = e.integrationId();
            ids[i] = e.deviceId();
            connections[i] = e.connectionId();
            clients[i] = e.clientId();
            remotes[i] = e.remoteAddress();
            at[i] = e.at().toString();
            reasons[i] = e.reason();
            wills[i] = e.willPublished();
        }
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(connectionsSql)) {
                ps.setString(1, node);
                ps.setArray(2, c.createArrayOf("text", kinds));
                ps.setArray(3, c.createArrayOf("uuid", organizations));
                ps.setArray(4, c.createArrayOf("uuid", integrations));
                ps.setArray(5, c.createArrayOf("text", ids));
                ps.setArray(6, c.createArrayOf("text", connections));
                ps.setArray(7, c.createArrayOf("text", clients));
                ps.setArray(8, c.createArrayOf("text", remotes));
                ps.setArray(9, c.createArrayOf("text", at));
                ps.setArray(10, c.createArrayOf("text", reasons));
                ps.setArray(11, c.createArrayOf("bool", wills));
                return transitions(ps);
            }
        });
    }

    /**
     * Inactivity and lost nodes, once across the nodes whichever runs it.
     *
     * @param defaultInactivitySeconds an integration's inactivity timeout when its settings set none
     */
    public List<Transition> sweep(String node, int nodeTimeoutSeconds, int defaultInactivitySeconds) {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(sweepSql)) {
                ps.setString(1, node);
                ps.setInt(2, nodeTimeoutSeconds);
                ps.setInt(3, defaultInactivitySeconds);
                return transitions(ps);
            }
        });
    }

    /** The devices still online on {@code node} go offline with {@code reason}. */
    public List<Transition> releaseNode(String node, String reason) {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(releaseNodeSql)) {
                ps.setString(1, node);
                ps.setString(2, reason);
                return transitions(ps);
            }
        });
    }

    /** Keeps the newest {@code keep} transitions of each of these devices; returns the rows deleted. */
    public int trim(Collection<DeviceKey> devices, int keep) {
        if (devices.isEmpty()) {
            return 0;
        }
        UUID[] integrations = devices.stream().map(DeviceKey::integrationId).toArray(UUID[]::new);
        String[] ids = devices.stream().map(DeviceKey::deviceId).toArray(String[]::new);
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(trimSql)) {
                ps.setArray(1, c.createArrayOf("uuid", integrations));
                ps.setArray(2, c.createArrayOf("text", ids));
                ps.setInt(3, keep);
                return ps.executeUpdate();
            }
        });
    }

    /** Per organization, its devices online on the other live nodes (those without any are absent). */
    public Map<UUID, Integer> connectedElsewhere(String node, int nodeTimeoutSeconds) {
        return tenancy.asOperator(c -> {
            Map<UUID, Integer> counts = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement(elsewhereSql)) {
                ps.setString(1, node);
                ps.setInt(2, nodeTimeoutSeconds);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        counts.put(rs.getObject(1, UUID.class), rs.getInt(2));
                    }
                }
            }
            return counts;
        });
    }

    private static List<Transition> transitions(PreparedStatement ps) throws SQLException {
        List<Transition> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Transition(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        }
        return out;
    }
}
