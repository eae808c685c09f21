package io.mqttintegration.console;

import io.mqttintegration.spi.console.OperatorConsole;
import java.util.UUID;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mqtt", name = "dead-letters", description = "Lists the newest dead letters; --replay <id> sends one through the pipeline again.")
@Service
public class DeadLettersCommand implements Action {

    @Reference
    OperatorConsole console;

    @Option(name = "--replay", description = "the id of a dead letter to store again")
    @Completion(DeadLetterIds.class)
    String replay;

    @Option(name = "--limit", description = "how many of the newest to list (default 50)")
    int limit = 50;

    @Override
    public Object execute() throws Exception {
        System.out.print(replay == null ? ConsoleText.of(console.deadLetters(limit)) : console.replay(UUID.fromString(replay)) + "\n");
        return null;
    }
}
