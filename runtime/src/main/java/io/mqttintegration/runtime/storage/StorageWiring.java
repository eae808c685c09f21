package io.mqttintegration.runtime.storage;

import io.mqttintegration.runtime.config.IngestConfig;
import io.mqttintegration.storage.PartitionMaintenance;
import io.mqttintegration.storage.RetentionPurge;
import io.mqttintegration.storage.SchemaMigrations;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage's wiring: the schema's migrations, applied; its maintenance (partitions ahead, retention),
 * started; and the stores every area reads.
 */
public final class StorageWiring {

    private static final Logger LOG = LoggerFactory.getLogger(StorageWiring.class);

    /** What the other areas need of storage. */
    public record Parts(StorageMaintenance maintenance, Tenancy tenancy, IntegrationStore integrations, ActivityLog activity) {
    }

    private StorageWiring() {
    }

    /**
     * Applies the migrations not applied yet, then creates today's partition and the days ahead;
     * {@link StorageMaintenance#schedule} runs the rest once the service serves.
     */
    public static Parts wire(DataSource dataSource, IngestConfig.Storage storage) {
        LOG.info("Database schema up to date ({} migrations applied now)", SchemaMigrations.apply(dataSource));
        PartitionMaintenance partitions = new PartitionMaintenance(dataSource, Clock.systemUTC(), storage.partitionDaysAhead(),
                Duration.ofMillis(storage.lockTimeoutMs()));
        StorageMaintenance maintenance = new StorageMaintenance(partitions, new RetentionPurge(dataSource, partitions, Clock.systemUTC(),
                new RetentionPurge.Settings(storage.retentionDays(), storage.deadLetterRetentionDays(),
                        storage.activityRetentionDays(), storage.purgeBatchSize(), Duration.ofMillis(storage.purgePauseMs()),
                        Duration.ofMillis(storage.lockTimeoutMs()))));
        maintenance.start();
        Tenancy tenancy = new Tenancy(dataSource);
        return new Parts(maintenance, tenancy, new IntegrationStore(tenancy), new ActivityLog(tenancy));
    }
}
