package io.mqttintegration.runtime.osgi;

import io.mqttintegration.runtime.config.ProductConfig;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.MetaTypeProvider;

/**
 * Registers the metatype of every PID of the product ({@link ProductConfig#ALL_PIDS}) for Karaf's
 * MetaType service (Felix MetaType, part of Karaf's framework), whether or not the service runs: the
 * {@code metatype.pid} property is computed from the key tables, so a new PID needs no edit here.
 */
@Component(name = "io.mqttintegration.metatype", immediate = true, service = {})
public class MetaTypeComponent {

    private ServiceRegistration<MetaTypeProvider> registration;

    @Activate
    void activate(BundleContext context) {
        ConfigMetaTypeProvider provider = new ConfigMetaTypeProvider(ProductConfig.ALL_PIDS);
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(MetaTypeProvider.METATYPE_PID, provider.pids());
        registration = context.registerService(MetaTypeProvider.class, provider, properties);
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
