package io.mqttintegration.console;

import io.mqttintegration.spi.console.OperatorConsole;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mqtt", name = "parser-list", description = "Lists the payload parsers: built-in ones and those declared in parser files.")
@Service
public class ParserListCommand implements Action {

    @Reference
    OperatorConsole console;

    @Override
    public Object execute() throws Exception {
        System.out.print(ConsoleText.of(console.parsers()));
        return null;
    }
}
