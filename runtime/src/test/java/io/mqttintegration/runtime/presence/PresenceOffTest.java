package io.mqttintegration.runtime.presence;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** presence.enabled = false (what the benchmark compares): ingestion stores, and presence writes nothing at all. */
class PresenceOffTest {

    @TempDir
    Path work;

    @Test
    void withPresenceOffAStoredMessageLeavesNoPresenceAndTheNodeNoHeartbeat() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of("presence.enabled", "false", "presence.flushMillis", "50"))
                .withIngestKey()) {
            assertEquals(202, service.postJson("/api/v1/ingest", "{\"topic\":\"site/devices/d1/t\",\"payload\":{\"t\":1}}").statusCode());
            await().atMost(Duration.ofSeconds(10)).until(() -> Rows.count(db, "SELECT count(*) FROM mqtt_messages") == 1);
            assertEquals(0, service.runtime.hostedParts().connectedElsewhere(java.util.UUID.randomUUID()));
        }
        assertEquals(0, Rows.count(db, "SELECT count(*) FROM device_presence"), "no last seen");
        assertEquals(0, Rows.count(db, "SELECT count(*) FROM device_transitions"));
        assertEquals(0, Rows.count(db, "SELECT count(*) FROM service_nodes"), "no heartbeat, not even at start or stop");
    }
}
