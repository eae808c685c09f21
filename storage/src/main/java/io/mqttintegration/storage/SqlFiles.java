package io.mqttintegration.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Loads a named SQL statement kept beside this class in {@code sql/<name>.sql}. */
public final class SqlFiles {

    private SqlFiles() {
    }

    public static String load(String name) {
        String path = "sql/" + name + ".sql";
        try (InputStream in = SqlFiles.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing SQL file " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
