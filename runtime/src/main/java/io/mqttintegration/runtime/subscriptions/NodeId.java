package io.mqttintegration.runtime.subscriptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * This service node's id ({@code mqtt.nodeId}): it tells the nodes' sessions apart in a shared
 * subscription, so it must differ between nodes and stay the same across a node's restarts (the
 * broker keeps queuing the node's share of the messages to its session while it is down). When
 * none is configured, one is generated once into {@code <security.dir>/node.id} and read back later.
 */
public final class NodeId {

    /** Client-id-safe, and short enough that the default client id stays within 23 characters. */
    static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1,10}");
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private NodeId() {
    }

    /**
     * @param configured the configured id, or null/blank to use (or create) the one in the file
     * @param file where a generated id is kept
     */
    public static String resolve(String configured, Path file) throws IOException {
        if (configured != null && !configured.isBlank()) {
            return check(configured.trim(), "configuration key 'mqtt.nodeId'");
        }
        if (Files.exists(file)) {
            return check(Files.readString(file, StandardCharsets.UTF_8).trim(), file.toString());
        }
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder("n");
        for (int i = 0; i < 7; i++) {
            id.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
        return id.toString();
    }

    private static String check(String id, String source) {
        if (!VALID.matcher(id).matches()) {
            throw new IllegalArgumentException(source + " is '" + id + "'; a node id may hold letters, digits, _ and - (1 to 10)");
        }
        return id;
    }
}
