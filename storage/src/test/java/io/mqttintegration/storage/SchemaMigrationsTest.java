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
                        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        // Partitions of mqtt_messages are not tables of the schema of their own (PartitionMaintenanceTest).
        assertEquals(List.of("activity_log", "api_keys", "console_sessions", "dead_letters", "device_presence", "device_transitions", "flyway_schema_history",
                "integrations", "mqtt_client_message_ids", "mqtt_credentials", "mqtt_device_catalog", "mqtt_messages", "mqtt_ts_bounds",
                "organizations", "service_nodes", "sink_dead_letters", "sink_outbox", "sinks", "subscription_nodes", "subscription_sessions",
                "subscriptions"),
                tables);
    }
}
