package io.mqttintegration.storage.presence;

import io.mqttintegration.storage.SqlFiles;
import io.mqttintegration.storage.Tenancy;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads device presence back (device_presence, device_transitions): one organization's devices and
 * their transitions for the API, every organization's for the operator's console and the devices-online
 * gauge. It only reads: whatever writes the rows (the presence engine) is none of its business.
 */
public final class DeviceStore {

    /** A device as presence keeps it: its state since when and why, its last stored message, and the hosted connection holding it. */
    public record Device(UUID id, UUID organizationId, UUID integrationId, String deviceId, String state, Instant since, String reason,
            Instant lastSeen, String lastSource, String node, String connectionId, String clientId, String remoteAddress) {
    }

    /** One change of a device's state; {@code detailsJson} is a JSON object. */
    public record Transition(UUID id, String state, String reason, String node, Instant at, String detailsJson) {
    }

    /** A device and its newest transitions, newest first. */
    public record WithTransitions(Device device, List<Transition> transitions) {
    }

    /** Where the previous page of devices ended (exclusive): its last device's unique key. */
    public record After(UUID integrationId, String deviceId) {
    }

    /** What a list keeps: each null for any. */
    public record Filter(UUID integrationId, String state, String deviceIdPrefix) {
    }

    private final Tenancy tenancy;
    private final String listSql = SqlFiles.load("list-devices");
    private final String getSql = SqlFiles.load("get-device");
    private final String transitionsSql = SqlFiles.load("list-device-transitions");
    private final String listAllSql = SqlFiles.load("list-all-devices");
    private final String onlineSql = SqlFiles.load("devices-online");

    public DeviceStore(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    /** One organization's devices in (integration, device id) order, {@code limit} of them, after {@code after} when given. */
    public List<Device> list(UUID org, Filter filter, After after, int limit) {
        return tenancy.inOrg(org, c -> {
            try (PreparedStatement ps = c.prepareStatement(listSql)) {
                int i = 1;
                ps.setObject(i++, org, Types.OTHER);
                i = pair(ps, i, filter.integrationId(), Types.OTHER);
                i = pair(ps, i, filter.state(), Types.VARCHAR);
                i = pair(ps, i, filter.deviceIdPrefix(), Types.VARCHAR);
                ps.setObject(i++, after == null ? null : after.integrationId(), Types.OTHER);
                ps.setObject(i++, after == null ? null : after.integrationId(), Types.OTHER);
                ps.setObject(i++, after == null ? null : after.deviceId(), Types.VARCHAR);
                ps.setInt(i, limit);
                return devices(ps);
            }
        });
    }

    /**
     * A device of the organization with its newest {@code limit} transitions, newest first, read in one
     * transaction; another organization's device is not found, as a missing one.
     */
    public Optional<WithTransitions> withTransitions(UUID org, UUID id, int limit) {
        return tenancy.inOrg(org, c -> {
            Device device;
            try (PreparedStatement ps = c.prepareStatement(getSql)) {
                ps.setObject(1, org, Types.OTHER);
                ps.setObject(2, id, Types.OTHER);
                List<Device> found = devices(ps);
                if (found.isEmpty()) {
                    return Optional.empty();
                }
                device = found.get(0);
            }
            List<Transition> transitions = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(transitionsSql)) {
                ps.setObject(1, org, Types.OTHER);
                ps.setObject(2, device.integrationId(), Types.OTHER);
                ps.setString(3, device.deviceId());
                ps.setInt(4, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        transitions.add(new Transition(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                                instant(rs, 5), rs.getString(6)));
                    }
                }
            }
            return Optional.of(new WithTransitions(device, transitions));
        });
    }

    /** Every organization's devices (operator), of one integration and one state when given, {@code limit} at most. */
    public List<Device> all(UUID integrationId, String state, int limit) {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(listAllSql)) {
                int i = pair(ps, 1, integrationId, Types.OTHER);
                i = pair(ps, i, state, Types.VARCHAR);
                ps.setInt(i, limit);
                return devices(ps);
            }
        });
    }

    /** Devices online per organization, for each organization presence knows a device of (operator). */
    public Map<UUID, Long> onlineByOrganization() {
        return tenancy.asOperator(c -> {
            Map<UUID, Long> online = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(onlineSql); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    online.put(rs.getObject(1, UUID.class), rs.getLong(2));
                }
            }
            return online;
        });
    }

    private static List<Device> devices(PreparedStatement ps) throws SQLException {
        List<Device> devices = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                devices.add(new Device(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class), rs.getString(4),
                        rs.getString(5), instant(rs, 6), rs.getString(7), instant(rs, 8), rs.getString(9), rs.getString(10),
                        rs.getString(11), rs.getString(12), rs.getString(13)));
            }
        }
        return devices;
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** The same value twice: {@code (? IS NULL OR column = ?)}. */
    private static int pair(PreparedStatement ps, int i, Object value, int type) throws SQLException {
        ps.setObject(i, value, type);
        ps.setObject(i + 1, value, type);
        return i + 2;
    }
}
