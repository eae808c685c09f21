package io.mqttintegration.runtime.routes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RoutesDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys route files ({@code *.camel.yaml}, Camel XML-IO {@code *.xml}) into the one CamelContext,
 * one file at a time: a file is parsed completely before anything running is touched, only that
 * file's routes and route configurations are swapped, and if the new routes fail to start the
 * file's last good version is put back. Karaf has no deployer for these files, and Camel's own
 * reload strategy re-reads every file at each change, so one bad file would block all others.
 *
 * <p>A file may declare REST operations ({@code rest:} blocks): {@link RestOperationRoutes} makes
 * their routes. The operations go into Camel's model, where the OpenAPI document is generated from,
 * and their scopes into {@link ApiOperations}; both are swapped with the file's routes.
 */
public final class RouteFileDeployer implements FileDeployer {

    private static final Logger LOG = LoggerFactory.getLogger(RouteFileDeployer.class);

    private final CamelContext context;
    private final Model model;
    private final Map<Path, Deployment> deployed = new LinkedHashMap<>();
    private final Map<Path, String> rejected = new LinkedHashMap<>();
    private final Map<Path, java.time.Instant> loadedAt = new LinkedHashMap<>();

    private record Deployment(String sha256, RoutesDefinition definitions, List<RouteDefinition> routes,
            List<RouteConfigurationDefinition> configs, List<RouteTemplateDefinition> templates, List<RestDefinition> rests,
            Map<String, ApiOperations.Operation> declared) {
        List<String> routeIds() {
            return routes.stream().map(RouteDefinition::getRouteId).toList();
        }
    }

    private record Parsed(RoutesDefinition definitions, List<RouteDefinition> routes,
            List<RouteConfigurationDefinition> configs, List<RouteTemplateDefinition> templates, List<RestDefinition> rests,
            Map<String, ApiOperations.Operation> declared) {
    }

    private final List<Consumer<Set<String>>> listeners = new CopyOnWriteArrayList<>();
    private final RouteTransitions transitions = new RouteTransitions();

    /**
     * Tells the listener the ids of route templates and route configurations a (re)deployed file
     * brought, so that routes made from a template elsewhere can be re-created from the new version.
     */
    public void onTemplatesChanged(Consumer<Set<String>> listener) {
        listeners.add(listener);
    }

    private final ApiOperations operations;

    public RouteFileDeployer(CamelContext context, ApiOperations operations) {
        this.context = context;
        this.operations = operations;
        this.model = context.getCamelContextExtension().getContextPlugin(Model.class);
    }

    /**
     * Deploys every file: route configurations of all files first (routes refer to them by id),
     * then each file's routes. A file that fails is logged and skipped; the others still deploy.
     */
    public synchronized List<String> deployAll(List<Path> files) {
        List<String> errors = new ArrayList<>();
        Map<Path, byte[]> contents = new LinkedHashMap<>();
        Map<Path, Parsed> parsed = new LinkedHashMap<>();
        for (Path file : files) {
            try {
                byte[] content = Files.readAllBytes(file);
                contents.put(file, content);
                parsed.put(file, parse(file, content));
            } catch (Exception e) {
                errors.add(fail(file, e));
            }
        }
        for (Parsed p : parsed.values()) {
            model.addRouteConfigurations(p.configs());
        }
        parsed.forEach((file, p) -> {
            try {
                apply(file, sha256(contents.get(file)), p, true);
            } catch (Exception e) {
                errors.add(fail(file, e));
            }
        });
        return errors;
    }

    /**
     * Deploys one file (new or changed). Returns false when its content is what is already
     * running. Throws {@link RouteFileException} naming the file when it is refused; the routes
     * that ran before keep running.
     */
    @Override
    public synchronized boolean deploy(Path file) {
        try {
            byte[] content = Files.readAllBytes(file);
            String sha = sha256(content);
            Deployment current = deployed.get(file);
            if (current != null && current.sha256().equals(sha)) {
                return false;
            }
            apply(file, sha, parse(file, content), false);
            return true;
        } catch (Exception e) {
            throw new RouteFileException(fail(file, e), e);
        }
    }

    /**
     * Checks a file as {@link #deploy} would, without touching anything that runs; returns what it
     * declares ("route a", "template b", "configuration c").
     */
    public synchronized List<String> validate(Path file) {
        return validate(file, file);
    }

    /**
     * Checks a file as if it were deployed as {@code as} (a candidate kept outside the watched
     * folder, meant to replace {@code as}): its route ids may repeat those of {@code as} only.
     */
    public synchronized List<String> validate(Path file, Path as) {
        try {
            Parsed parsed = parse(file, as, Files.readAllBytes(file));
            List<String> declared = new ArrayList<>();
            for (RouteDefinition route : parsed.routes()) {
                // The most common mistake that parses: a consumer whose component does not exist.
                String uri = route.getEndpointUrl();
                String scheme = uri == null || !uri.contains(":") ? null : uri.substring(0, uri.indexOf(':'));
                if (scheme != null && !scheme.contains("{{") && context.getComponent(scheme, true) == null) {
                    throw new RouteFileException("route " + route.getRouteId()
                            + " consumes from unknown component '" + scheme + "'");
                }
            }
            parsed.routes().forEach(r -> declared.add("route " + r.getRouteId()));
            parsed.declared().forEach((id, op) -> declared.add("operation " + id + " (scope " + op.scope() + ")"));
            parsed.templates().forEach(t -> declared.add("template " + t.getId()));
            parsed.configs().forEach(c -> declared.add("configuration " + c.getId()));
            return declared;
        } catch (RouteFileException e) {
            throw e;
        } catch (Exception e) {
            throw new RouteFileException(describe(e), e);
        }
    }

    /** Stops and removes the routes and route configurations a deleted file had. */
    @Override
    public synchronized void undeploy(Path file) {
        rejected.remove(file);
        loadedAt.remove(file);
        Deployment current = deployed.remove(file);
        if (current == null) {
            return;
        }
        try {
            for (String id : current.routeIds()) {
                stopAndRemove(id);
            }
            for (RouteConfigurationDefinition config : current.configs()) {
                model.removeRouteConfiguration(config);
            }
            model.removeRouteTemplateDefinitions(current.templates());
            model.getRestDefinitions().removeAll(current.rests());
            operations.remove(current.declared().keySet());
            LOG.info("Route file {} removed: routes {} stopped and removed", file.getFileName(), current.routeIds());
        } catch (Exception e) {
            throw new RouteFileException(fail(file, e), e);
        }
    }

    public synchronized Set<Path> files() {
        return Set.copyOf(deployed.keySet());
    }

    /** The file a running route came from. */
    public synchronized Optional<Path> sourceOf(String routeId) {
        return deployed.entrySet().stream()
                .filter(e -> e.getValue().routeIds().contains(routeId))
                .map(Map.Entry::getKey)
                .findFirst();
    }

    private Parsed parse(Path file, byte[] content) throws Exception {
        return parse(file, file, content);
    }

    private Parsed parse(Path file, Path as, byte[] content) throws Exception {
        Resource resource = ResourceHelper.fromBytes("file:" + file.toAbsolutePath(), content);
        Collection<RoutesBuilder> builders = PluginHelper.getRoutesLoader(context).findRoutesBuilders(List.of(resource));
        List<RouteDefinition> routes = new ArrayList<>();
        List<RouteConfigurationDefinition> configs = new ArrayList<>();
        List<RouteTemplateDefinition> templates = new ArrayList<>();
        RoutesDefinition all = null;
        List<RestDefinition> rests = new ArrayList<>();
        for (RoutesBuilder builder : builders) {
            if (builder instanceof RouteConfigurationBuilder rcb) {
                rcb.setCamelContext(context);
                rcb.getRouteConfigurationCollection().setCamelContext(context);
                rcb.configuration();
                configs.addAll(rcb.getRouteConfigurationCollection().getRouteConfigurations());
            }
            if (!(builder instanceof RouteBuilder rb)) {
                throw new RouteFileException(file + ": unsupported route builder " + builder.getClass().getName());
            }
            // Not prepared here: preparing applies the route configurations, which may not be in
            // the model yet (see addRoutes).
            all = rb.configureRoutes(context);
            routes.addAll(all.getRoutes());
            templates.addAll(rb.getRouteTemplateCollection().getRouteTemplates());
            rests.addAll(rb.getRestCollection().getRests());
        }
        Map<String, ApiOperations.Operation> declared = RestOperationRoutes.make(context, file, rests, routes);
        checkIds(as, routes, configs);
        for (RouteTemplateDefinition template : templates) {
            if (template.getId() == null) {
                throw new RouteFileException(file + ": every routeTemplate needs an explicit id");
            }
        }
        if (builders.size() > 1) {
            throw new RouteFileException(file + ": one route file must give one routes builder, got " + builders.size());
        }
        return new Parsed(all, routes, configs, templates, rests, declared);
    }


    private void checkIds(Path file, List<RouteDefinition> routes, List<RouteConfigurationDefinition> configs) {
        Set<String> ids = new LinkedHashSet<>();
        for (RouteDefinition route : routes) {
            if (!route.hasCustomIdAssigned()) {
                throw new RouteFileException(file + ": every route needs an explicit id (route from "
                        + route.getEndpointUrl() + " has none)");
            }
            if (!ids.add(route.getRouteId())) {
                throw new RouteFileException(file + ": route id " + route.getRouteId() + " is used twice");
            }
            deployed.forEach((other, d) -> {
                if (!other.equals(file) && d.routeIds().contains(route.getRouteId())) {
                    throw new RouteFileException(file + ": route id " + route.getRouteId() + " is already defined in " + other);
                }
            });
        }
        for (RouteConfigurationDefinition config : configs) {
            if (config.getId() == null) {
                throw new RouteFileException(file + ": every routeConfiguration needs an explicit id");
            }
        }
    }

    private void apply(Path file, String sha, Parsed next, boolean configsAdded) throws Exception {
        Deployment previous = deployed.get(file);
        if (!configsAdded) {
            if (previous != null) {
                for (RouteConfigurationDefinition config : previous.configs()) {
                    model.removeRouteConfiguration(config);
                }
            }
            model.addRouteConfigurations(next.configs());
        }
        if (previous != null) {
            model.removeRouteTemplateDefinitions(previous.templates());
        }
        model.addRouteTemplateDefinitions(next.templates());
        List<String> oldIds = previous == null ? List.of() : previous.routeIds();
        for (String id : oldIds) {
            stopAndRemove(id);
        }
        if (previous != null) {
            model.getRestDefinitions().removeAll(previous.rests());
            operations.remove(previous.declared().keySet());
        }
        try {
            addRests(next.rests(), next.declared());
            addRoutes(next.definitions(), next.routes());
        } catch (Exception e) {
            rollback(next, previous);
            throw e;
        }
        deployed.put(file, new Deployment(sha, next.definitions(), next.routes(), next.configs(), next.templates(), next.rests(),
                next.declared()));
        loadedAt.put(file, java.time.Instant.now());
        rejected.remove(file);
        if (previous != null && !next.configs().isEmpty()) {
            restartRoutesUsing(file, next.configs());
        }
        LOG.info("Route file {} {}: routes {}{}", file.getFileName(), previous == null ? "deployed" : "reloaded",
                deployed.get(file).routeIds(), next.templates().isEmpty() ? ""
                        : ", templates " + next.templates().stream().map(RouteTemplateDefinition::getId).toList());
        if (previous != null && (!next.templates().isEmpty() || !next.configs().isEmpty())) {
            Set<String> changed = new LinkedHashSet<>();
            next.templates().forEach(t -> changed.add(t.getId()));
            next.configs().forEach(c -> changed.add(c.getId()));
            for (Consumer<Set<String>> listener : listeners) {
                listener.accept(changed);
            }
        }
    }

    private void rollback(Parsed failed, Deployment previous) {
        try {
            for (RouteDefinition route : failed.routes()) {
                stopAndRemove(route.getRouteId());
            }
            for (RouteConfigurationDefinition config : failed.configs()) {
                model.removeRouteConfiguration(config);
            }
            model.removeRouteTemplateDefinitions(failed.templates());
            model.getRestDefinitions().removeAll(failed.rests());
            operations.remove(failed.declared().keySet());
            if (previous != null) {
                model.addRouteConfigurations(previous.configs());
                model.addRouteTemplateDefinitions(previous.templates());
                addRests(previous.rests(), previous.declared());
                addRoutes(previous.definitions(), previous.routes());
            }
        } catch (Exception e) {
            LOG.error("Could not restore the previous routes after a failed reload", e);
        }
    }

    /** Routes of other files that use a changed route configuration are re-created to pick it up. */
    private void restartRoutesUsing(Path changed, List<RouteConfigurationDefinition> configs) throws Exception {
        Set<String> configIds = new LinkedHashSet<>();
        configs.forEach(c -> configIds.add(c.getId()));
        for (Map.Entry<Path, Deployment> entry : deployed.entrySet()) {
            if (entry.getKey().equals(changed)) {
                continue;
            }
            List<RouteDefinition> users = entry.getValue().routes().stream()
                    .filter(r -> r.getRouteConfigurationId() != null
                            && List.of(r.getRouteConfigurationId().split(",")).stream().map(String::trim).anyMatch(configIds::contains))
                    .toList();
            for (RouteDefinition route : users) {
                stopAndRemove(route.getRouteId());
            }
            addRoutes(entry.getValue().definitions(), users);
        }
    }

    /**
     * Prepares the routes against the route configurations in the model now (error handlers,
     * onException) and adds them, which starts them.
     */
    private void addRoutes(RoutesDefinition definitions, List<RouteDefinition> routes) throws Exception {
        for (RouteDefinition route : routes) {
            route.markUnprepared();
            definitions.prepareRoute(route);
        }
        transitions.during(routes.stream().map(RouteDefinition::getRouteId).toList(), () -> model.addRouteDefinitions(routes));
    }

    /** The operations' scopes first: their routes answer as soon as they are added. */
    private void addRests(List<RestDefinition> rests, Map<String, ApiOperations.Operation> declared) throws Exception {
        operations.put(declared);
        // false: the routes are made by RestOperationRoutes, not by the model
        model.addRestDefinitions(rests, false);
    }

    /** Routes this deployer (and the subscriptions) stop or add on purpose, for {@code /health}. */
    public RouteTransitions transitions() {
        return transitions;
    }

    private void stopAndRemove(String routeId) throws Exception {
        transitions.during(routeId, () -> {
            if (context.getRoute(routeId) != null) {
                context.getRouteController().stopRoute(routeId);
                context.removeRoute(routeId);
            }
            RouteDefinition definition = model.getRouteDefinition(routeId);
            if (definition != null) {
                model.removeRouteDefinition(definition);
            }
        });
    }

    private String fail(Path file, Exception e) {
        String reason = e instanceof RouteFileException ? e.getMessage() : describe(e);
        rejected.put(file, reason);
        String message = "Route file " + file + " rejected"
                + (deployed.containsKey(file) ? ", its last good version keeps running: " : ": ") + reason;
        LOG.error(message);
        return message;
    }

    /**
     * One route file as the operator's API shows it: the routes it runs, when its running content was
     * deployed (null if none of it ever was), and why its latest content was refused (null if it was not).
     */
    public record FileState(String file, List<String> routeIds, java.time.Instant loadedAt, String lastError) {
    }

    /** Every file deployed or refused, by name. */
    public synchronized List<FileState> states() {
        java.util.TreeMap<String, FileState> states = new java.util.TreeMap<>();
        deployed.forEach((file, d) -> states.put(file.getFileName().toString(),
                new FileState(file.getFileName().toString(), d.routeIds(), loadedAt.get(file), rejected.get(file))));
        rejected.forEach((file, reason) -> states.putIfAbsent(file.getFileName().toString(),
                new FileState(file.getFileName().toString(), List.of(), null, reason)));
        return List.copyOf(states.values());
    }

    /** Files whose latest content was refused, with the reason (a file deployed since is not listed). */
    public synchronized Map<String, String> rejectedFiles() {
        Map<String, String> result = new LinkedHashMap<>();
        rejected.forEach((file, reason) -> result.put(file.getFileName().toString(), reason));
        return result;
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            if (cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
                text.append(" <- ").append(cause.getMessage());
            }
        }
        return text.toString();
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean accepts(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".camel.yaml") || name.endsWith(".xml");
    }
}
