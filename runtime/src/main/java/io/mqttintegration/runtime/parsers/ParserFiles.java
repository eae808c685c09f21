package io.mqttintegration.runtime.parsers;

import io.mqttintegration.parsers.ParserDefinition;
import io.mqttintegration.parsers.Parsers;
import io.mqttintegration.parsers.PathExpression;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.runtime.routes.FileDeployer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads {@code *.parser.yaml} files into the {@link ParserRegistry}. A file is checked completely
 * (YAML, fields, every path expression) before it replaces anything; a refused file is logged with
 * its name and line, and the parser it declared before keeps working.
 */
public final class ParserFiles implements FileDeployer {

    private static final Logger LOG = LoggerFactory.getLogger(ParserFiles.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Set<String> FIELDS = Set.of("name", "match", "format", "items", "deviceId", "timestamp", "metrics",
            "metric", "columns", "separator", "tags");

    private final ParserRegistry registry;
    private final Map<Path, String> deployedContent = new HashMap<>();

    public ParserFiles(ParserRegistry registry) {
        this.registry = registry;
    }

    @Override
    public boolean accepts(Path file) {
        return file.getFileName().toString().endsWith(".parser.yaml");
    }

    public synchronized void deployAll(List<Path> files) {
        for (Path file : files) {
            try {
                deploy(file);
            } catch (ParserFileException e) {
                // logged; the others still load
            }
        }
    }

    @Override
    public synchronized boolean deploy(Path file) {
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            if (content.equals(deployedContent.get(file))) {
                return false;
            }
            ParserDefinition definition = parse(file, content);
            registry.fileOf(definition.name()).filter(other -> !other.equals(file)).ifPresent(other -> {
                throw new ParserFileException(file.getFileName() + ": parser name '" + definition.name()
                        + "' is already declared in " + other.getFileName());
            });
            registry.put(file, definition);
            deployedContent.put(file, content);
            LOG.info("Parser file {} {}: parser '{}'", file.getFileName(), "deployed", definition.name());
            return true;
        } catch (ParserFileException e) {
            LOG.error("Parser file {} rejected{}: {}", file, deployedContent.containsKey(file)
                    ? ", its last good version keeps working" : "", e.getMessage());
            throw e;
        } catch (IOException e) {
            throw new ParserFileException(file + " could not be read: " + e.getMessage());
        }
    }

    @Override
    public synchronized void undeploy(Path file) {
        deployedContent.remove(file);
        registry.remove(file);
        LOG.info("Parser file {} removed", file.getFileName());
    }

    /** Reads and checks a parser file; every refusal names the file and the line. */
    public static ParserDefinition parse(Path file, String content) {
        Node root;
        try {
            root = new Compose(LoadSettings.builder().setLabel(file.getFileName().toString()).build())
                    .composeString(content).orElse(null);
        } catch (YamlEngineException e) {
            throw new ParserFileException(file.getFileName() + ": not valid YAML: " + e.getMessage().replace('\n', ' '));
        }
        Fields f = new Fields(file, root);
        f.onlyKnown(root, FIELDS);
        String name = f.text(root, "name", true);
        if (!NAME.matcher(name).matches()) {
            throw f.error(f.get(root, "name"), "name must be lower-case letters, digits and -, up to 63 characters");
        }
        if (Parsers.NAMES.contains(name)) {
            throw f.error(f.get(root, "name"), "'" + name + "' is a built-in parser's name");
        }
        Node match = f.get(root, "match");
        String topic = null;
        String contentType = null;
        if (match != null) {
            f.onlyKnown(match, Set.of("topic", "contentType"));
            topic = f.text(match, "topic", false);
            contentType = f.text(match, "contentType", false);
        }
        String formatText = f.text(root, "format", false);
        ParserDefinition.Format format = formatText == null || formatText.equals("json") ? ParserDefinition.Format.JSON
                : formatText.equals("csv") ? ParserDefinition.Format.CSV : null;
        if (format == null) {
            throw f.error(f.get(root, "format"), "format must be json or csv");
        }
        Map<String, String> tags = f.textMap(root, "tags");
        if (format == ParserDefinition.Format.CSV) {
            List<String> columns = f.textList(root, "columns");
            if (columns.isEmpty()) {
                throw f.error(root, "a csv parser needs columns");
            }
            String separator = f.text(root, "separator", false);
            if (separator != null && separator.length() != 1) {
                throw f.error(f.get(root, "separator"), "separator must be one character");
            }
            return new ParserDefinition(name, topic, contentType, format, null, null, null, Map.of(), null, null,
                    columns, separator == null ? "," : separator, tags);
        }
        Map<String, PathExpression> metrics = new LinkedHashMap<>();
        f.textMap(root, "metrics").forEach((metric, path) ->
                metrics.put(metric, f.path(f.get(f.get(root, "metrics"), metric), path)));
        PathExpression metricName = null;
        PathExpression metricValue = null;
        Node metric = f.get(root, "metric");
        if (metric != null) {
            f.onlyKnown(metric, Set.of("name", "value"));
            metricName = f.path(f.get(metric, "name"), f.text(metric, "name", true));
            metricValue = f.path(f.get(metric, "value"), f.text(metric, "value", true));
        }
        if (metrics.isEmpty() && metricName == null) {
            throw f.error(root, "a json parser needs metrics (name: path) or metric (name and value paths)");
        }
        return new ParserDefinition(name, topic, contentType, format, f.optionalPath(root, "items"),
                f.optionalPath(root, "deviceId"), f.optionalPath(root, "timestamp"), metrics, metricName, metricValue,
                List.of(), ",", tags);
    }

    /** Field access over the YAML node tree, with the line of each node for error messages. */
    private record Fields(Path file, Node root) {

        Node get(Node mapping, String key) {
            if (!(mapping instanceof MappingNode m)) {
                throw error(mapping, "expected a mapping");
            }
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return t.getValueNode();
                }
            }
            return null;
        }

        void onlyKnown(Node mapping, Set<String> known) {
            if (!(mapping instanceof MappingNode m)) {
                throw error(mapping, "expected a mapping");
            }
            for (NodeTuple t : m.getValue()) {
                String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "?";
                if (!known.contains(key)) {
                    throw error(t.getKeyNode(), "unknown field '" + key + "'; known: " + new java.util.TreeSet<>(known));
                }
            }
        }

        String text(Node mapping, String key, boolean required) {
            Node v = get(mapping, key);
            if (v == null) {
                if (required) {
                    throw error(mapping, "'" + key + "' is required");
                }
                return null;
            }
            if (!(v instanceof ScalarNode s)) {
                throw error(v, "'" + key + "' must be a single value");
            }
            return s.getValue();
        }

        List<String> textList(Node mapping, String key) {
            Node v = get(mapping, key);
            List<String> values = new ArrayList<>();
            if (v == null) {
                return values;
            }
            if (!(v instanceof SequenceNode seq)) {
                throw error(v, "'" + key + "' must be a list");
            }
            for (Node item : seq.getValue()) {
                if (!(item instanceof ScalarNode s)) {
                    throw error(item, "'" + key + "' must hold single values");
                }
                values.add(s.getValue());
            }
            return values;
        }

        Map<String, String> textMap(Node mapping, String key) {
            Node v = get(mapping, key);
            Map<String, String> values = new LinkedHashMap<>();
            if (v == null) {
                return values;
            }
            if (!(v instanceof MappingNode m)) {
                throw error(v, "'" + key + "' must be a mapping");
            }
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k) || !(t.getValueNode() instanceof ScalarNode val)) {
                    throw error(t.getKeyNode(), "'" + key + "' must map names to single values");
                }
                values.put(k.getValue(), val.getValue());
            }
            return values;
        }

        PathExpression optionalPath(Node mapping, String key) {
            String text = text(mapping, key, false);
            return text == null ? null : path(get(mapping, key), text);
        }

        PathExpression path(Node at, String text) {
            try {
                return PathExpression.parse(text);
            } catch (IllegalArgumentException e) {
                throw error(at, "invalid path: " + e.getMessage());
            }
        }

        ParserFileException error(Node at, String message) {
            String line = at == null ? "" : at.getStartMark().map(m -> " line " + (m.getLine() + 1)).orElse("");
            return new ParserFileException(file.getFileName() + line + ": " + message);
        }
    }

    /** A parser file that was refused; the message names the file and line. */
    public static final class ParserFileException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ParserFileException(String message) {
            super(message);
        }
    }
}
