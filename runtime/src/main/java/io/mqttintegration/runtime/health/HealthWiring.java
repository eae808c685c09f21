package io.mqttintegration.runtime.health;

import io.mqttintegration.runtime.ingest.IngestWiring;
import io.mqttintegration.runtime.routes.RouteFileDeployer;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;

/** Health's wiring: the bean {@code healthReport} of {@code /health}, which reads the database, the pipeline and the route files. */
public final class HealthWiring {

    private HealthWiring() {
    }

    public static void wire(CamelContext context, DataSource dataSource, IngestWiring.Parts ingest, RouteFileDeployer deployer) {
        context.getRegistry().bind("healthReport", new HealthReport(context, dataSource, ingest.queue(), ingest.parsing(),
                ingest.writer(), ingest.deadLetters(), deployer));
    }
}
