package io.mqttintegration.runtime.console;

import io.mqttintegration.runtime.metrics.RouteCounts;
import io.mqttintegration.runtime.routes.FolderWatcher;
import io.mqttintegration.runtime.routes.RouteFileDeployer;
import io.mqttintegration.runtime.routes.RouteFileException;
import io.mqttintegration.runtime.subscriptions.Subscriptions;
import io.mqttintegration.spi.console.ConsoleAnswer;
import io.mqttintegration.spi.console.ConsoleTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;

/** The console's answers about routes and route files ({@code mqtt:route-list}, {@code mqtt:route-reload}). */
record RouteAnswers(CamelContext context, RouteFileDeployer deployer, Path routesDir, RouteCounts routeCounts, LastFailures lastFailures) {

    /** mqtt:route-list: every route, the file it came from, its state and exchanges. */
    public ConsoleAnswer routes() {
        ConsoleTable table = new ConsoleTable("ID", "SOURCE", "STATE", "TOTAL", "FAILED", "LAST FAILURE");
        Map<String, RouteCounts.Counts> counts = routeCounts().byRoute();
        List<Route> routes = new ArrayList<>(context().getRoutes());
        routes.sort((a, b) -> a.getRouteId().compareTo(b.getRouteId()));
        for (Route route : routes) {
            String id = route.getRouteId();
            boolean subscription = Subscriptions.isSubscriptionRoute(id);
            String source = deployer().sourceOf(id).map(f -> f.getFileName().toString())
                    .orElse(subscription ? "template " + Subscriptions.TEMPLATE : "-");
            RouteCounts.Counts c = counts.getOrDefault(id, RouteCounts.Counts.NONE);
            // A subscription's messages are counted per integration: mqtt:subscription-list.
            table.row(id, source, context().getRouteController().getRouteStatus(id), subscription ? "-" : c.total(),
                    subscription ? "-" : c.failed(), lastFailures().of(id));
        }
        return ConsoleAnswer.of(table);
    }

    /**
     * mqtt:route-reload: reloads one route file (or every file of the folder when null); with
     * validateOnly, checks it as a reload would without touching what runs (a file outside the
     * folder, by absolute path, is checked as the folder's file of the same name). A refused file
     * leaves its last good version running.
     */
    public String reload(String file, boolean validateOnly) throws IOException {
        List<Path> files = file == null ? FolderWatcher.filesOf(routesDir(), deployer())
                : List.of(validateOnly ? candidateFile(file) : routeFile(file));
        StringBuilder out = new StringBuilder();
        for (Path f : files) {
            String name = f.getFileName().toString();
            String line;
            try {
                line = validateOnly
                        ? "valid      " + name + ": " + String.join(", ", deployer().validate(f, routesDir().resolve(name)))
                        : (deployer().deploy(f) ? "reloaded   " : "unchanged  ") + name;
            } catch (RouteFileException e) {
                line = "rejected   " + name + ": " + e.getMessage() + (validateOnly ? "" : " (the running version is kept)");
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** Route file names of the folder (for completion). */
    public List<String> routeFileNames() throws IOException {
        return FolderWatcher.filesOf(routesDir(), deployer()).stream().map(f -> f.getFileName().toString()).toList();
    }

    /**
     * A file to validate: a route file of the folder by name, or any readable file by absolute path
     * (a candidate checked before it is copied into the folder, as the file of the same name).
     */
    private Path candidateFile(String name) {
        Path f = Path.of(name);
        if (!f.isAbsolute()) {
            return routeFile(name);
        }
        if (!deployer().accepts(f) || !Files.isRegularFile(f)) {
            throw new IllegalArgumentException(name + " is not a readable *.camel.yaml or *.xml file");
        }
        return f;
    }

    private Path routeFile(String name) {
        Path f = routesDir().resolve(name).normalize();
        if (!f.startsWith(routesDir()) || !deployer().accepts(f)) {
            throw new IllegalArgumentException(name + " is not a route file of " + routesDir());
        }
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("no such route file: " + f);
        }
        return f;
    }
}
