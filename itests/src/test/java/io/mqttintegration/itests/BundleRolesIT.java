package io.mqttintegration.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The bundles of the assembly, by Karaf role (docs/architecture.md, "Bundles"), read from their
 * manifests: the service does not need Karaf's shell or carry Artemis; the console commands are the
 * shell's; the hosted broker carries Artemis; the spi is all they share. No bundle of ours exports a
 * library package, so one bundle's embedded copy is never wired in place of another's.
 */
class BundleRolesIT {

    private static final Path SYSTEM = Path.of(System.getProperty("mqi.karaf.dir")).resolve("system/io/mqttintegration");
    private static final String VERSION = System.getProperty("mqi.version");

    @Test
    void theServiceNeedsNeitherTheShellNorArtemis() throws IOException {
        Attributes runtime = manifest("runtime");
        assertFalse(imports(runtime).stream().anyMatch(p -> p.startsWith("org.apache.karaf.shell")), "imports " + imports(runtime));
        assertFalse(runtime.getValue("Bundle-ClassPath").contains("artemis"), runtime.getValue("Bundle-ClassPath"));
        assertTrue(imports(runtime).containsAll(List.of("io.mqttintegration.spi.broker", "io.mqttintegration.spi.console")));
        assertNull(runtime.getValue("Export-Package"));
        assertNull(runtime.getValue("Karaf-Commands"));
    }

    @Test
    void theConsoleCommandsAreTheShellsAndEmbedNothing() throws IOException {
        Attributes console = manifest("console");
        assertEquals("io.mqttintegration.console", console.getValue("Karaf-Commands"));
        assertTrue(imports(console).contains("org.apache.karaf.shell.api.action"), "imports " + imports(console));
        assertNull(console.getValue("Bundle-ClassPath"), "no embedded jar");
        assertNull(console.getValue("Export-Package"));
    }

    @Test
    void theHostedBrokerCarriesArtemisAndTakesTheSpiFromItsBundle() throws IOException {
        Attributes broker = manifest("broker");
        String classPath = broker.getValue("Bundle-ClassPath");
        assertTrue(classPath.contains("artemis-server-") && classPath.contains("artemis-mqtt-protocol-"), classPath);
        assertFalse(classPath.contains("mqtt-integration-spi"), "the spi is imported, not embedded: " + classPath);
        assertTrue(imports(broker).contains("io.mqttintegration.spi.broker"), "imports " + imports(broker));
        assertNull(broker.getValue("Export-Package"));
    }

    @Test
    void theSpiExportsItsPackagesAndNeedsOnlyTheJdkAndOsgi() throws IOException {
        Attributes spi = manifest("spi");
        assertEquals(List.of("io.mqttintegration.spi.broker", "io.mqttintegration.spi.config", "io.mqttintegration.spi.console"),
                packages(spi.getValue("Export-Package")).stream().sorted().toList());
        assertEquals(List.of(), imports(spi).stream().filter(p -> !p.startsWith("java.") && !p.startsWith("org.osgi.")).toList());
    }

    private static Attributes manifest(String module) throws IOException {
        String artifact = "mqtt-integration-" + module;
        try (JarFile jar = new JarFile(SYSTEM.resolve(artifact).resolve(VERSION).resolve(artifact + "-" + VERSION + ".jar").toFile())) {
            return jar.getManifest().getMainAttributes();
        }
    }

    private static List<String> imports(Attributes manifest) {
        return packages(manifest.getValue("Import-Package"));
    }

    /** The package names of an Import-Package or Export-Package header (attributes and quoted lists dropped). */
    private static List<String> packages(String header) {
        if (header == null) {
            return List.of();
        }
        return Arrays.stream(header.replaceAll("\"[^\"]*\"", "").split(",")).map(c -> c.split(";")[0].trim()).toList();
    }
}
