package io.mqttintegration.console;

import io.mqttintegration.spi.console.OperatorConsole;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "mqtt", name = "route-reload", description = "Reloads a route file (or every file); with --validate only checks it. A refused file keeps its last good version running.")
@Service
public class RouteReloadCommand implements Action {

    @Reference
    OperatorConsole console;

    @Option(name = "--validate", description = "only check the file (dry run): nothing that runs is touched")
    boolean validate;

    @Argument(index = 0, name = "file", description = "a route file name in the routes folder (with --validate also an absolute path); all files when omitted")
    @Completion(RouteFiles.class)
    String file;

    @Override
    public Object execute() throws Exception {
        System.out.print(console.reload(file, validate));
        return null;
    }
}
