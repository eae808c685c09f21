package io.mqttintegration.console;

import io.mqttintegration.spi.console.OperatorConsole;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mqtt", name = "queue-stats", description = "Shows the ingestion queue and writer: depth, capacity, in flight, rejected, batches.")
@Service
public class QueueStatsCommand implements Action {

    @Reference
    OperatorConsole console;

    @Override
    public Object execute() throws Exception {
        System.out.print(ConsoleText.of(console.queueStats()));
        return null;
    }
}
