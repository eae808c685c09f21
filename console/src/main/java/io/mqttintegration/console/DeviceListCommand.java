package io.mqttintegration.console;

import io.mqttintegration.spi.console.OperatorConsole;
import java.util.UUID;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/**
 * Every node's devices as device presence keeps them (docs/devices.md): organization, integration,
 * device, state since when and why, last seen, the node and client id of a hosted connection, and for
 * a device connected to this node's hosted broker the messages it took on that connection. Where the
 * broker does not run here (a stock Karaf without its feature, broker.enabled = false) the list is
 * the same, without that count, and says so.
 */
@Command(scope = "mqtt", name = "device-list", description = "Lists every node's devices (device presence): organization, integration, "
        + "device, state, since, reason, last seen, node, client id, remote address, and messages received on a connection to this node.")
@Service
public class DeviceListCommand implements Action {

    @Reference
    OperatorConsole console;

    @Option(name = "--state", description = "only devices in this state: online or offline")
    @Completion(value = StringsCompleter.class, values = {"online", "offline"})
    String state;

    @Option(name = "--integration", description = "only this integration (id)")
    @Completion(IntegrationIds.class)
    String integration;

    @Override
    public Object execute() throws Exception {
        System.out.print(ConsoleText.of(console.devices(state, integration == null ? null : UUID.fromString(integration))));
        return null;
    }
}
