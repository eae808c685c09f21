package io.mqttintegration.console;

import io.mqttintegration.spi.console.OperatorConsole;
import java.util.List;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;

/** Completes route file names of the routes folder. */
@Service
public class RouteFiles implements Completer {

    @Reference
    OperatorConsole console;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        try {
            return new StringsCompleter(console.routeFileNames()).complete(session, commandLine, candidates);
        } catch (Exception e) {
            return -1;
        }
    }
}
