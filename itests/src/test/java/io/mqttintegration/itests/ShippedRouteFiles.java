package io.mqttintegration.itests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the route files of an assembly's routes folder declare, read from the files themselves, so
 * that a test counting the routes or REST operations Karaf runs follows the files instead of a number
 * written down when they last changed.
 */
final class ShippedRouteFiles {

    private static final List<String> VERBS = List.of("get", "post", "put", "patch", "delete", "head");

    private final List<JsonNode> entries = new ArrayList<>();

    ShippedRouteFiles(Path routesDir) throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        try (Stream<Path> files = Files.list(routesDir)) {
            for (Path file : files.sorted().toList()) {
                if (!file.getFileName().toString().endsWith(".camel.yaml")) {
                    throw new IllegalStateException("not a YAML route file, count its routes here too: " + file);
                }
                yaml.readTree(file.toFile()).forEach(entries::add);
            }
        }
    }

    /** The ids of the routes the files declare: templates and route configurations are not routes. */
    List<String> routeIds() {
        return entries.stream().filter(e -> e.has("route")).map(e -> e.path("route").path("id").asText()).toList();
    }

    /** The REST operations the files' rest blocks declare: one per entry under each verb. */
    int restOperations() {
        return entries.stream().filter(e -> e.has("rest")).map(e -> e.path("rest"))
                .mapToInt(rest -> VERBS.stream().mapToInt(verb -> rest.path(verb).size()).sum()).sum();
    }
}
