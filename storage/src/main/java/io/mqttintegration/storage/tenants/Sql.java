package io.mqttintegration.storage.tenants;

import io.mqttintegration.storage.SqlFiles;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.UUID;

/** Named SQL files (see SqlFiles) and the few binding helpers the stores share. */
final class Sql {

    private Sql() {
    }

    static String load(String name) {
        return SqlFiles.load(name);
    }

    static void uuid(PreparedStatement ps, int index, UUID value) throws SQLException {
        ps.setObject(index, value, Types.OTHER);
    }

    static void textArray(PreparedStatement ps, int index, List<String> values) throws SQLException {
        Array array = ps.getConnection().createArrayOf("text", values.toArray());
        ps.setArray(index, array);
    }

    static List<String> textArray(ResultSet rs, int index) throws SQLException {
        Array array = rs.getArray(index);
        return array == null ? List.of() : List.of((String[]) array.getArray());
    }
}
