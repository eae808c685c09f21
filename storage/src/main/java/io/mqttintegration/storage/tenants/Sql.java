package io.mqttintegration.storage.tenants;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.UUID;

/** Named SQL files (in ../sql) and the few binding helpers the stores share. */
final class Sql {

    private Sql() {
    }

    static String load(String name) {
        String path = "/io/mqttintegration/storage/sql/" + name + ".sql";
        try (InputStream in = Sql.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing SQL file " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
