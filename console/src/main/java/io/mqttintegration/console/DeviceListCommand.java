package io.mqttintegration.console;

import io.mqttintegration.spi.broker.ConnectedDevice;
import io.mqttintegration.spi.broker.RunningBroker;
import io.mqttintegration.spi.console.ConsoleTable;
import java.time.temporal.ChronoUnit;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * The devices connected to this node's hosted broker, oldest connection first: organization,
 * integration, username, client id, remote address, connected since, messages the broker took from
 * it on this connection. The broker registers itself while it runs (feature
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
    RunningBroker broker;

    @Override
    public Object execute() throws Exception {
        if (broker == null) {
            System.out.println("The hosted MQTT broker is not running on this node (feature mqtt-integration-broker, broker.enabled).");
            return null;
        }
        System.out.print(ConsoleText.of(table(broker)) + broker.connected() + " connected\n");
        return null;
    }

    static ConsoleTable table(RunningBroker broker) {
        ConsoleTable table = new ConsoleTable("ORGANIZATION", "INTEGRATION", "USERNAME", "CLIENT ID", "REMOTE ADDRESS", "CONNECTED SINCE",
                "RECEIVED");
        for (ConnectedDevice d : broker.devices()) {
            table.row(d.identity().organizationId(), d.identity().integrationId(), d.identity().username(), d.clientId(),
                    d.remoteAddress(), d.since().truncatedTo(ChronoUnit.SECONDS), d.received());
        }
        return table;
    }
}
