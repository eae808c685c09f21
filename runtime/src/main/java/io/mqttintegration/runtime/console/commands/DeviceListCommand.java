package io.mqttintegration.runtime.console.commands;

import io.mqttintegration.runtime.broker.ConnectedDevices;
import io.mqttintegration.runtime.console.OperatorConsole;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * The connected devices, which the hosted broker registers while it runs (feature
 * mqtt-integration-broker). The reference is optional: Karaf registers a bundle's commands only when
 * every required reference of every one of them is there, so a required one would take every mqtt:*
 * command away wherever the broker does not run (a stock Karaf without the broker's feature,
 * broker.enabled = false).
 */
@Command(scope = "mqtt", name = "device-list", description = "Lists the devices connected to this node's hosted MQTT broker: "
        + "organization, integration, username, client id, remote address, connected since, messages received.")
@Service
public class DeviceListCommand implements Action {

    @Reference(optional = true)
    ConnectedDevices devices;

    @Override
    public Object execute() throws Exception {
        if (devices == null) {
            System.out.println("The hosted MQTT broker is not running on this node (feature mqtt-integration-broker, broker.enabled).");
            return null;
        }
        System.out.print(OperatorConsole.devices(devices));
        return null;
    }
}
