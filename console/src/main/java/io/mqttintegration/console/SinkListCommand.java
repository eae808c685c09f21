package io.mqttintegration.console;

import io.mqttintegration.spi.console.OperatorConsole;
import java.util.UUID;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mqtt", name = "sink-list", description = "Lists the sinks of every organization (or of one, or of one integration): "
        + "kind, state, the node delivering each, this node's delivered/failed/dead-lettered, backlog and the age of its oldest message.")
@Service
public class SinkListCommand implements Action {

    @Reference
    OperatorConsole console;

    @Option(name = "--org", description = "only this organization (id)")
    String org;

    @Option(name = "--integration", description = "only this integration (id)")
    @Completion(IntegrationIds.class)
    String integration;

    @Override
    public Object execute() throws Exception {
        System.out.print(ConsoleText.of(console.sinks(org == null ? null : UUID.fromString(org),
                integration == null ? null : UUID.fromString(integration))));
        return null;
    }
}
