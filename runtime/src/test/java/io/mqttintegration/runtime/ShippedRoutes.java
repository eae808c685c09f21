package io.mqttintegration.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What the shipped route files (routes/, system property {@code mqi.routes.dir}) declare, read from
 * the files themselves, so that a test counting routes or REST operations follows the files instead
 * of a number written down when they last changed.
 */
public final class ShippedRoutes {

    private static final Set<String> VERBS = Set.of("get", "post", "put", "patch", "delete", "head");

    private ShippedRoutes() {
    }

    /** The ids of the routes the files declare: templates and route configurations are not routes. */
    public static List<String> routeIds() {
        List<String> ids = new ArrayList<>();
        for (Map<?, ?> entry : entries()) {
            if (entry.get("route") instanceof Map<?, ?> route) {
                ids.add(String.valueOf(route.get("id")));
            }
        }
        return ids;
    }

    /** The REST operations the files' rest blocks declare: one per entry under each verb. */
    public static int restOperations() {
        int operations = 0;
        for (Map<?, ?> entry : entries()) {
            if (entry.get("rest") instanceof Map<?, ?> rest) {
                for (String verb : VERBS) {
                    if (rest.get(verb) instanceof List<?> declared) {
                        operations += declared.size();
                    }
                }
            }
        }
        return operations;
    }

    /** The top-level entries of every shipped route file. */
    private static List<Map<?, ?>> entries() {
        List<Map<?, ?>> entries = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("mqi.routes.dir")))) {
            for (Path file : files.sorted().toList()) {
                if (!file.getFileName().toString().endsWith(".camel.yaml")) {
                    throw new IllegalStateException("not a YAML route file, count its routes here too: " + file);
                }
                Object content = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
                if (content instanceof List<?> list) {
                    list.stream().filter(Map.class::isInstance).forEach(e -> entries.add((Map<?, ?>) e));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }
}
