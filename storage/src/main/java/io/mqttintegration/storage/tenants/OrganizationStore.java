package io.mqttintegration.storage.tenants;

import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.Tenancy;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Organizations (tenants). Creating and listing them is the operator's. */
public final class OrganizationStore {

    private final Tenancy tenancy;
    private final String insertSql = Sql.load("insert-organization");
    private final String listSql = Sql.load("list-organizations");

    public OrganizationStore(Tenancy tenancy) {
        this.tenancy = tenancy;
    }

    public Organization create(String name) {
        return tenancy.asOperator(c -> {
            try (PreparedStatement ps = c.prepareStatement(insertSql)) {
                ps.setObject(1, MessageIds.next());
                ps.setString(2, name);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return map(rs);
                }
            }
        });
    }

    public List<Organization> list() {
        return tenancy.asOperator(c -> {
            List<Organization> all = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(listSql); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.add(map(rs));
                }
            }
            return all;
        });
    }

    public boolean exists(UUID id) {
        return tenancy.inOrg(id, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM organizations WHERE id = ?")) {
                Sql.uuid(ps, 1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    private static Organization map(ResultSet rs) throws SQLException {
        return new Organization(rs.getObject(1, UUID.class), rs.getString(2), rs.getObject(3, OffsetDateTime.class));
    }
}
