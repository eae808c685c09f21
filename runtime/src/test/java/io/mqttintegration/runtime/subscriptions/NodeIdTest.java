package io.mqttintegration.runtime.subscriptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdTest {

    @TempDir
    Path dir;

    @Test
    void theConfiguredIdWinsAndIsChecked() throws Exception {
        assertEquals("node-2", NodeId.resolve(" node-2 ", dir.resolve("node.id")));
        assertTrue(Files.notExists(dir.resolve("node.id")), "nothing generated when configured");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeId.resolve("a/b", dir.resolve("node.id")))
                .getMessage().contains("mqtt.nodeId"));
        assertThrows(IllegalArgumentException.class, () -> NodeId.resolve("much-too-long-id", dir.resolve("node.id")));
    }

    @Test
    void withoutOneAnIdIsGeneratedOnceAndKept() throws Exception {
        String first = NodeId.resolve(null, dir.resolve("data/node.id"));
        assertTrue(NodeId.VALID.matcher(first).matches(), first);
        assertEquals(first, NodeId.resolve("", dir.resolve("data/node.id")), "the same id after a restart");
        assertNotEquals(first, NodeId.resolve(null, dir.resolve("other/node.id")), "another node, another id");
    }
}
