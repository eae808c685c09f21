package io.mqttintegration.runtime.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.storage.PartitionMaintenance;
import io.mqttintegration.storage.RetentionPurge;
import io.mqttintegration.storage.SchemaMigrations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class StorageMaintenanceTest {

    @Test
    void aRunMakesThePartitionsAhead() {
        DataSource ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        PartitionMaintenance partitions = new PartitionMaintenance(ds, Clock.fixed(Instant.parse("2032-01-30T00:00:00Z"),
                ZoneOffset.UTC), 2, Duration.ofSeconds(2));

        StorageMaintenance maintenance = new StorageMaintenance(partitions, new RetentionPurge(ds, partitions, Clock.systemUTC(),
                new RetentionPurge.Settings(1, 0, 0, 100, Duration.ZERO, Duration.ofSeconds(2))));
        assertTrue(maintenance.run());

        assertTrue(maintenance.lastSeenPartitions().stream().anyMatch(p -> p.name().equals("mqtt_messages_p203202")),
                maintenance.lastSeenPartitions().toString());
        assertTrue(maintenance.lastPurge().isPresent(), "the purge ran after the partitions were made");
    }

    @Test
    void aRunAgainstADatabaseThatIsNotThereIsLoggedNotThrown() {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        nowhere.setURL("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1");
        PartitionMaintenance partitions = new PartitionMaintenance(nowhere, Clock.systemUTC(), 2, Duration.ofSeconds(1));
        StorageMaintenance maintenance = new StorageMaintenance(partitions, new RetentionPurge(nowhere, partitions, Clock.systemUTC(),
                new RetentionPurge.Settings(1, 0, 0, 100, Duration.ZERO, Duration.ofSeconds(1))));

        assertFalse(maintenance.run(), "the timer's thread must survive it: a throwing task is never run again");
    }
}
