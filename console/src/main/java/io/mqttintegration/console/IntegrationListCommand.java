package io.mqttintegration.console;

import io.mqttintegration.spi.console.OperatorConsole;
import java.util.UUID;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mqtt", name = "integration-list", description = "Lists the integrations of every organization (or of one), with their subscription state.")
@Service
public class IntegrationListCommand implements Action {

    @Reference
    OperatorConsole console;

    @Option(name = "--org", description = "only this organization (id)")
    String org;

    @Override
    public Object execute() throws Exception {
        System.out.print(ConsoleText.of(console.integrations(org == null ? null : UUID.fromString(org))));
        return null;
    }
}
