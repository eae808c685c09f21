package io.mqttintegration.broker;

import io.mqttintegration.spi.config.Settings;
import io.mqttintegration.spi.broker.HostedService;
import io.mqttintegration.spi.broker.RunningBroker;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
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
 * The hosted MQTT broker inside Karaf: runs while the PID {@code mqtt.integration.broker} exists
 * (feature {@code mqtt-integration-broker} installs it) and the service is running (it registers
 * the {@link HostedService} the broker needs; the two are separate bundles); the PID may be empty, every key has a default
 * ({@link BrokerConfig#PID}). A change to the PID, or a restart of the service,
 * stops the broker and starts it again; the journal keeps what was not committed yet.
 */
@Component(name = "io.mqttintegration.broker", immediate = true, configurationPid = BrokerConfig.PID_NAME,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public class BrokerComponent {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerComponent.class);

    @Reference
    private HostedService service;

    private HostedBrokerService broker;
    private ServiceRegistration<RunningBroker> devices;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) throws Exception {
        Path home = Path.of(System.getProperty("karaf.base", ".")).toAbsolutePath().normalize();
        Settings settings = new Settings(properties);
        settings.describe(List.of(BrokerConfig.PID)).forEach(line -> LOG.info("Configuration {}", line));
        BrokerConfig config = BrokerConfig.from(settings, home);
        try {
            broker = HostedBrokerService.start(config, service);
        } catch (Exception e) {
            LOG.error("The hosted MQTT broker did not start: {}", e.getMessage(), e);
            throw e;
        }
        if (broker != null) {
            // mqtt:device-list reads it
            devices = context.registerService(RunningBroker.class, broker, new Hashtable<>());
        }
    }

    @Deactivate
    void deactivate() {
        if (devices != null) {
            try {
                devices.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping
            }
            devices = null;
        }
        HostedBrokerService running = broker;
        broker = null;
        if (running != null) {
            running.close();
        }
    }
}
