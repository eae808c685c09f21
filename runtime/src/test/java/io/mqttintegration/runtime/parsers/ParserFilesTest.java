package io.mqttintegration.runtime.parsers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.parsers.ParserDefinition;
import io.mqttintegration.parsers.Reading;
import io.mqttintegration.parsers.TopicDeviceId;
import io.mqttintegration.runtime.routes.FolderWatcher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParserFilesTest {

    @TempDir
    Path dir;

    @Test
    void theShippedExamplesLoad() throws Exception {
        Path shipped = Path.of(System.getProperty("mqi.parsers.dir"));
        // What the feature installs as <karaf>/parsers/: the examples, each from parser-files/.
        String feature = Files.readString(shipped.resolveSibling("features/src/main/feature/feature.xml"));
        Set<String> installed = Pattern.compile("finalname=\"/parsers/([^\"]+)\"").matcher(feature).results()
                .map(m -> m.group(1)).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("csv-line.parser.yaml", "vendor-nested.parser.yaml"), installed, "the examples the feature installs");
        try (Stream<Path> files = Files.list(shipped)) {
            assertEquals(installed, files.map(f -> f.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new)),
                    "parser-files/ holds what the feature installs, no more");
        }
        try (Stream<Path> files = Files.list(shipped)) {
            for (Path file : files.toList()) {
                ParserDefinition def = ParserFiles.parse(file, Files.readString(file));
                assertTrue(Set.of("vendor-nested", "csv-line").contains(def.name()), def.name());
            }
        }

        // Loaded as the service loads its parsers folder at start.
        ParserRegistry registry = new ParserRegistry();
        ParserFiles files = new ParserFiles(registry);
        files.deployAll(FolderWatcher.filesOf(shipped, files));
        assertEquals(Optional.of(shipped.resolve("vendor-nested.parser.yaml")), registry.fileOf("vendor-nested"));
        assertEquals(Optional.of(shipped.resolve("csv-line.parser.yaml")), registry.fileOf("csv-line"));
    }

    @Test
    void aFileIsCheckedCompletelyAndRefusalsNameFileAndLine() {
        String bad = """
                name: broken
                format: json
                deviceId: "$.dev.sn"
                metrics:
                  temp: "$.data[?(@.k=='t')]"
                """;
        ParserFiles.ParserFileException e = assertThrows(ParserFiles.ParserFileException.class,
                () -> ParserFiles.parse(Path.of("broken.parser.yaml"), bad));
        assertTrue(e.getMessage().startsWith("broken.parser.yaml line 5: invalid path"), e.getMessage());

        assertRefused("name: x\nformat: xml\nmetrics: {a: $.a}\n", "line 2: format must be json or csv");
        assertRefused("name: x\nmetrics: {a: $.a}\ncolour: red\n", "line 3: unknown field 'colour'");
        assertRefused("name: standard\nmetrics: {a: $.a}\n", "built-in parser's name");
        assertRefused("name: x\nformat: csv\n", "a csv parser needs columns");
        assertRefused("name: x\n", "a json parser needs metrics");
        assertRefused("name: [x\n", "not valid YAML");
    }

    private static void assertRefused(String yaml, String expected) {
        ParserFiles.ParserFileException e = assertThrows(ParserFiles.ParserFileException.class,
                () -> ParserFiles.parse(Path.of("x.parser.yaml"), yaml));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void aBrokenEditKeepsTheLastGoodVersionAndDeletingRemovesIt() throws Exception {
        ParserRegistry registry = new ParserRegistry();
        ParserFiles files = new ParserFiles(registry);
        Path file = dir.resolve("mine.parser.yaml");
        Files.writeString(file, "name: mine\nmetrics:\n  temp: $.t\n");
        files.deploy(file);
        assertTrue(registry.names().contains("mine"));

        Files.writeString(file, "name: mine\nmetrics:\n  temp: $.t[\n");
        assertThrows(ParserFiles.ParserFileException.class, () -> files.deploy(file));
        List<Reading> r = registry.create("mine", TopicDeviceId.defaultPattern())
                .parse("a/devices/d/x", "{\"t\":1}".getBytes(StandardCharsets.UTF_8), "application/json", Instant.now());
        assertEquals(1, r.size(), "the previous version still parses");

        Path other = dir.resolve("other.parser.yaml");
        Files.writeString(other, "name: mine\nmetrics:\n  t: $.t\n");
        assertThrows(ParserFiles.ParserFileException.class, () -> files.deploy(other), "a name another file declares");

        files.undeploy(file);
        assertTrue(!registry.names().contains("mine"));
    }
}
