package io.mqttintegration.console;

import io.mqttintegration.spi.console.OperatorConsole;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mqtt", name = "storage",
        description = "Lists the partitions of mqtt_messages (estimated rows, bytes), the retention and the last purge; --purge runs the maintenance now.")
@Service
public class StorageCommand implements Action {

    @Reference
    OperatorConsole console;

    @Option(name = "--purge", description = "make the partitions ahead and run the retention purge now, then list")
    boolean purge;

    @Override
    public Object execute() throws Exception {
        System.out.print(ConsoleText.of(console.storage(purge)));
        return null;
    }
}
