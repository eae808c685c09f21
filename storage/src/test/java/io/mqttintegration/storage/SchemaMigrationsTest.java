package io.mqttintegration.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.devdb.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class SchemaMigrationsTest {

    @Test
    void createsTheWholeSchemaOnceAndIsIdempotent() throws Exception {
        DataSource ds = TestDatabase.newDatabase();

        assertEquals(SchemaMigrations.listed(getClass().getClassLoader()).size(), SchemaMigrations.apply(ds));
        assertEquals(0, SchemaMigrations.apply(ds), "a second start applies nothing");

        List<String> tables = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        assertEquals(List.of("activity_log", "api_keys", "dead_letters", "flyway_schema_history", "integrations",
                "mqtt_credentials", "mqtt_messages", "organizations", "subscriptions"), tables);
    }
}
