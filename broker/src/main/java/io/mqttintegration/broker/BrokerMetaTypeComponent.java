package io.mqttintegration.broker;

import io.mqttintegration.spi.config.ConfigMetaTypeProvider;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.MetaTypeProvider;

/** Registers the metatype of the hosted broker's PID ({@link BrokerConfig#PID}) for Karaf's {@code config:meta}. */
@Component(name = "io.mqttintegration.broker.metatype", immediate = true, service = {})
public class BrokerMetaTypeComponent {

    private ServiceRegistration<MetaTypeProvider> registration;

    @Activate
    void activate(BundleContext context) {
        registration = ConfigMetaTypeProvider.register(context, List.of(BrokerConfig.PID));
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
