package io.mqttintegration.runtime.osgi;

import io.mqttintegration.runtime.config.ProductConfig;
import io.mqttintegration.spi.config.ConfigMetaTypeProvider;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.MetaTypeProvider;

/**
 * Registers the metatype of the service's PIDs ({@link ProductConfig#PIDS}) for Karaf's MetaType
 * service, whether or not the service runs (the hosted broker's bundle registers its own PID's).
 */
@Component(name = "io.mqttintegration.metatype", immediate = true, service = {})
public class MetaTypeComponent {

    private ServiceRegistration<MetaTypeProvider> registration;

    @Activate
    void activate(BundleContext context) {
        registration = ConfigMetaTypeProvider.register(context, ProductConfig.PIDS);
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping
        }
    }
}
