package io.mqttintegration.console;

import io.mqttintegration.spi.console.OperatorConsole;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mqtt", name = "subscription-list", description = "Lists the persistent subscriptions this node runs: state, connected since, received/stored/failed, last error.")
@Service
public class SubscriptionListCommand implements Action {

    @Reference
    OperatorConsole console;

    @Override
    public Object execute() throws Exception {
        System.out.print(ConsoleText.of(console.subscriptions()));
        return null;
    }
}
