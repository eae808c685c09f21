package io.mqttintegration.console;

import io.mqttintegration.spi.console.OperatorConsole;
import java.util.UUID;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mqtt", name = "integration-test", description = "Tests an integration's broker connection (DNS, TCP, TLS, CONNECT, SUBSCRIBE, PUBLISH, receive), as the API does.")
@Service
public class IntegrationTestCommand implements Action {

    @Reference
    OperatorConsole console;

    @Argument(index = 0, name = "id", description = "the integration id", required = true)
    @Completion(IntegrationIds.class)
    String id;

    @Override
    public Object execute() throws Exception {
        System.out.print(ConsoleText.of(console.test(UUID.fromString(id))));
        return null;
    }
}
