package io.mqttintegration.runtime.routes;

import io.mqttintegration.runtime.config.RoutesConfig;
import io.mqttintegration.runtime.internals.ProductCamelContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.camel.spi.RestConfiguration;

/**
 * The route files' wiring: the CamelContext that runs them (with their placeholders, how their REST
 * operations are served, and the bean {@code dataSource} an integrator's route may use), their
 * deployer with the operations they declare, the route files deployed once Camel runs, and the
 * folders of parser and route files watched while reloading is on.
 */
public final class RoutesWiring implements AutoCloseable {

    private final RoutesConfig routes;
    private final ProductCamelContext context = new ProductCamelContext();
    private final ApiOperations operations = new ApiOperations();
    private final RouteFileDeployer deployer;
    private final List<FolderWatcher> watchers = new ArrayList<>();

    /**
     * @param placeholders the values of the route files' {@code {{placeholders}}}
     * @param rest how the route files' REST operations are served
     * @param dataSource the service's database, bound as {@code dataSource} (for {@code jdbc:dataSource})
     */
    public RoutesWiring(String name, Properties placeholders, RestConfiguration rest, RoutesConfig routes, DataSource dataSource) {
        this.routes = routes;
        context.getCamelContextExtension().setName(name);
        // Inside the bundle, Camel must find its plugins (YAML DSL, components) on the bundle's class loader.
        context.setApplicationContextClassLoader(RoutesWiring.class.getClassLoader());
        context.getPropertiesComponent().setInitialProperties(placeholders);
        context.getShutdownStrategy().setTimeout(30);
        context.setRestConfiguration(rest);
        context.getRegistry().bind("dataSource", dataSource);
        this.deployer = new RouteFileDeployer(context, operations);
    }

    public ProductCamelContext context() {
        return context;
    }

    /** The scope each REST operation of the route files declares (authentication reads it). */
    public ApiOperations operations() {
        return operations;
    }

    public RouteFileDeployer deployer() {
        return deployer;
    }

    /** Deploys the route files of the folder; returns the reasons of those refused. */
    public List<String> deployAll() throws IOException {
        return deployer.deployAll(FolderWatcher.filesOf(routes.routesDir(), deployer));
    }

    /** While reloading is on: watches the parser files' folder, then the route files'. */
    public void watch(FileDeployer parsers) throws IOException {
        if (routes.reloadEnabled()) {
            int interval = routes.reloadIntervalMs();
            watchers.add(new FolderWatcher(routes.parsersDir(), parsers, interval));
            watchers.add(new FolderWatcher(routes.routesDir(), deployer, interval));
            for (FolderWatcher watcher : watchers) {
                watcher.start();
            }
        }
    }

    /** Stops watching. */
    @Override
    public void close() {
        watchers.forEach(FolderWatcher::close);
    }
}
