package io.mqttintegration.runtime.osgi;

import io.mqttintegration.runtime.ProductRuntime;
import io.mqttintegration.spi.config.Settings;
import io.mqttintegration.runtime.config.HttpConfig;
import io.mqttintegration.runtime.config.IngestConfig;
import io.mqttintegration.runtime.config.MqttConfig;
import io.mqttintegration.runtime.config.ProductConfig;
import io.mqttintegration.runtime.config.QuotasConfig;
import io.mqttintegration.runtime.config.RoutesConfig;
import io.mqttintegration.runtime.config.SecurityConfig;
import io.mqttintegration.runtime.config.SinksConfig;
import io.mqttintegration.runtime.config.PresenceConfig;
import io.mqttintegration.spi.broker.HostedService;
import io.mqttintegration.spi.console.OperatorConsole;
import java.net.InetAddress;
import java.util.Hashtable;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the product inside Karaf once the pax-jdbc DataSource "mqi" and the configuration
 * PIDs ({@link ProductConfig#PIDS}) are there; stops it when either goes away or the bundle stops. A
 * PID may be empty (its file all comments): every key has a default. A change to any of them
 * restarts the product with the new values. Starting runs off the SCR thread and is retried with
 * backoff (a database that is still down, a port still taken), each failure logged as an ERROR.
 */
@Component(name = "io.mqttintegration.runtime", immediate = true,
        configurationPid = {HttpConfig.PID_NAME, IngestConfig.PID_NAME, RoutesConfig.PID_NAME, SecurityConfig.PID_NAME,
            MqttConfig.PID_NAME, QuotasConfig.PID_NAME, SinksConfig.PID_NAME, PresenceConfig.PID_NAME},
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public class ServiceComponent {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceComponent.class);
    private static final long MAX_BACKOFF_MILLIS = 30_000;

    @Reference(target = "(dataSourceName=mqi)")
    private DataSource dataSource;

    private ExecutorService starter;
    private BundleContext bundleContext;
    private volatile ServiceRegistration<OperatorConsole> consoleService;
    private volatile ServiceRegistration<HostedService> hostedParts;
    private volatile ProductRuntime runtime;
    private volatile boolean stopping;

    @Activate
    void activate(BundleContext bundleContext, Map<String, Object> properties) {
        this.bundleContext = bundleContext;
        Settings settings = new Settings(properties);
        // The values in force, so an operator sees what the defaults, etc/ and the environment made.
        settings.describe(ProductConfig.PIDS).forEach(line -> LOG.info("Configuration {}", line));
        for (String key : settings.undeclared(ProductConfig.PIDS)) {
            LOG.warn("Configuration key '{}' is not one of the service's (a typo?): it changes nothing but a route file's"
                    + " placeholder of that name", key);
        }
        Path home = Path.of(System.getProperty("karaf.base", ".")).toAbsolutePath().normalize();
        starter = Executors.newSingleThreadExecutor(r -> new Thread(r, "mqtt-integration-start"));
        starter.submit(() -> startWithRetry(settings, home));
    }

    private void startWithRetry(Settings settings, Path home) {
        long backoff = 1_000;
        while (!stopping) {
            ProductRuntime candidate = new ProductRuntime(dataSource, settings, home, InetAddress::getAllByName);
            try {
                candidate.start();
                runtime = candidate;
                // For the mqtt:* console commands (bundle io.mqttintegration.console). No service
                // properties: the component's configuration (which holds secrets) must not show in service:list.
                consoleService = bundleContext.registerService(OperatorConsole.class, candidate.console(), new Hashtable<>());
                // For the hosted broker (bundle io.mqttintegration.broker), when its feature is installed.
                hostedParts = bundleContext.registerService(HostedService.class, candidate.hostedParts(), new Hashtable<>());
                return;
            } catch (Exception e) {
                candidate.close();
                LOG.error("mqtt-integration did not start: {}; retrying in {} s", e.getMessage(), backoff / 1000, e);
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        stopping = true;
        starter.shutdownNow();
        starter.awaitTermination(60, TimeUnit.SECONDS);
        // The broker first (unregistering its parts stops it), while the pipeline still commits.
        unregister(hostedParts);
        hostedParts = null;
        unregister(consoleService);
        consoleService = null;
        ProductRuntime running = runtime;
        runtime = null;
        if (running != null) {
            running.close();
        }
    }

    private static void unregister(ServiceRegistration<?> registration) {
        if (registration != null) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping: the framework unregistered it
            }
        }
    }
}
