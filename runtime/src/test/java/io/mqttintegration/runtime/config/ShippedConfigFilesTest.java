package io.mqttintegration.runtime.config;

import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.spi.config.ConfigKey;
import io.mqttintegration.spi.config.ConfigPid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped etc/mqtt.integration.*.cfg and docs/operations.md say what the config records declare:
 * every key listed once, commented out with its default (and its environment variable), so a fresh
 * install runs with the defaults and an operator reads them where they edit.
 */
class ShippedConfigFilesTest {

    private static final Path ETC = Path.of(System.getProperty("mqi.etc.dir"));
    private static final Pattern COMMENTED = Pattern.compile("^#([a-z][A-Za-z0-9.]*) = (.*)$");
    private static final Pattern SET = Pattern.compile("^([a-z][A-Za-z0-9.]*) *= *(.*)$");

    /** How a key's line shows its default: with its variable, as Karaf would interpolate it once uncommented. */
    private static String shown(ConfigKey key) {
        return key.env() == null ? key.defaultValue() : "${env:" + key.env() + ":-" + key.defaultValue() + "}";
    }

    @Test
    void everyKeyIsListedCommentedOutWithItsDefault() throws IOException {
        for (ConfigPid pid : RuntimeHarness.ALL_PIDS) {
            Map<String, String> commented = new TreeMap<>();
            Map<String, String> set = new TreeMap<>();
            for (String line : Files.readAllLines(ETC.resolve(pid.pid() + ".cfg"))) {
                Matcher c = COMMENTED.matcher(line);
                Matcher s = SET.matcher(line);
                if (c.matches()) {
                    assertEquals(null, commented.put(c.group(1), c.group(2).trim()), c.group(1) + " listed twice in " + pid);
                } else if (s.matches()) {
                    assertEquals(null, set.put(s.group(1), s.group(2).trim()), s.group(1) + " set twice in " + pid);
                }
            }
            Map<String, String> expectedCommented = new TreeMap<>();
            Map<String, String> expectedSet = new TreeMap<>();
            for (ConfigKey key : pid.keys()) {
                // A secret's reference stays set, so config:list shows where the secret is.
                (key.type() == ConfigKey.Type.SECRET ? expectedSet : expectedCommented).put(key.name(), shown(key));
            }
            assertEquals(expectedCommented, commented, pid + ".cfg: each key commented out with its default");
            assertEquals(expectedSet, set, pid + ".cfg sets only the secrets' references (their defaults)");
        }
    }

    @Test
    void theOperationsGuideDocumentsEveryKeyWithItsDefault() throws IOException {
        String guide = Files.readString(ETC.resolveSibling("docs").resolve("operations.md"));
        int from = guide.indexOf("\n## Configuration\n");
        String section = guide.substring(from, guide.indexOf("\n## ", from + 1));
        List<String> wrong = new ArrayList<>();
        for (ConfigPid pid : RuntimeHarness.ALL_PIDS) {
            assertTrue(section.contains("### `" + pid.pid() + "`"), pid.pid());
            for (ConfigKey key : pid.keys()) {
                String row = section.lines().filter(l -> l.startsWith("| `" + key.name() + "` |")).findFirst().orElse(null);
                if (row == null) {
                    wrong.add(key.name() + ": no row");
                    continue;
                }
                String[] cells = row.split("\\|");
                String env = cells[2].trim();
                String def = cells[3].trim();
                if (!env.equals(key.env() == null ? "" : "`" + key.env() + "`")) {
                    wrong.add(key.name() + ": env " + env);
                }
                if (!(key.defaultValue().isEmpty() ? def.startsWith("empty") : def.startsWith("`" + key.defaultValue() + "`"))) {
                    wrong.add(key.name() + ": default " + def);
                }
            }
        }
        assertEquals(List.of(), wrong, "docs/operations.md \"Configuration\": | `key` | `ENV` or nothing | `default` or empty | meaning |");
    }
}
