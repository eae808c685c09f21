package io.mqttintegration.storage;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * Applies the numbered migrations in {@code db/migration} with Flyway. The files are listed in
 * {@code db/migration/migrations.idx} and handed to Flyway through a {@link ResourceProvider},
 * because Flyway's class-path scanning cannot see into a jar embedded in an OSGi bundle.
 */
public final class SchemaMigrations {

    static final String FOLDER = "db/migration";
    static final String INDEX = FOLDER + "/migrations.idx";

    private SchemaMigrations() {
    }

    /** Brings the schema up to date; returns how many migrations ran. Safe to call concurrently. */
    public static int apply(DataSource dataSource) {
        return apply(dataSource, "latest");
    }

    /** Up to the given version only ("latest": all): tests fill an older schema, then migrate it. */
    static int apply(DataSource dataSource, String targetVersion) {
        ClassLoader loader = SchemaMigrations.class.getClassLoader();
        MigrateResult result = Flyway.configure(loader)
                .dataSource(dataSource)
                .target(targetVersion)
                .resourceProvider(new IndexedMigrations(loader))
                .javaMigrationClassProvider(List::of)
                .failOnMissingLocations(false)
                .load()
                .migrate();
        return result.migrationsExecuted;
    }

    /** The file names listed in the index, in order. */
    static List<String> listed(ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream(INDEX)) {
            if (in == null) {
                throw new IllegalStateException("missing " + INDEX);
            }
            List<String> names = new ArrayList<>();
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .forEach(names::add);
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class IndexedMigrations implements ResourceProvider {

        private final ClassLoader loader;
        private final List<String> names;

        IndexedMigrations(ClassLoader loader) {
            this.loader = loader;
            this.names = listed(loader);
        }

        @Override
        public LoadableResource getResource(String name) {
            String file = name.substring(name.lastIndexOf('/') + 1);
            return names.contains(file) ? new Migration(loader, file) : null;
        }

        @Override
        public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
            List<LoadableResource> found = new ArrayList<>();
            for (String name : names) {
                if (name.startsWith(prefix) && Arrays.stream(suffixes).anyMatch(name::endsWith)) {
                    found.add(new Migration(loader, name));
                }
            }
            return found;
        }
    }

    private static final class Migration extends LoadableResource {

        private final ClassLoader loader;
        private final String name;

        Migration(ClassLoader loader, String name) {
            this.loader = loader;
            this.name = name;
        }

        @Override
        public Reader read() {
            InputStream in = loader.getResourceAsStream(FOLDER + "/" + name);
            if (in == null) {
                throw new IllegalStateException("migration listed in " + INDEX + " but missing: " + name);
            }
            return new InputStreamReader(in, StandardCharsets.UTF_8);
        }

        @Override
        public String getAbsolutePath() {
            return FOLDER + "/" + name;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return getAbsolutePath();
        }

        @Override
        public String getFilename() {
            return name;
        }

        @Override
        public String getRelativePath() {
            return name;
        }
    }
}
