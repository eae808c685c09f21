package io.mqttintegration.console;

import io.mqttintegration.spi.console.OperatorConsole;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mqtt", name = "route-list", description = "Lists the routes: id, source file, state, exchanges total and failed, last failure.")
@Service
public class RouteListCommand implements Action {

    @Reference
    OperatorConsole console;

    @Override
    public Object execute() throws Exception {
        System.out.print(ConsoleText.of(console.routes()));
        return null;
    }
}
