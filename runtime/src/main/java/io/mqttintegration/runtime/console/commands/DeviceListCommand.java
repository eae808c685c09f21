package io.mqttintegration.runtime.console.commands;

import io.mqttintegration.runtime.broker.ConnectedDevices;
import io.mqttintegration.runtime.console.OperatorConsole;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/** There while the hosted broker runs (feature mqtt-integration-broker): it registers the connected devices. */
@Command(scope = "mqtt", name = "device-list", description = "Lists the devices connected to this node's hosted MQTT broker: "
        + "organization, integration, username, client id, remote address, connected since, messages received.")
@Service
public class DeviceListCommand implements Action {

    @Reference
    ConnectedDevices devices;

    @Override
    public Object execute() throws Exception {
        System.out.print(OperatorConsole.devices(devices));
        return null;
    }
}
