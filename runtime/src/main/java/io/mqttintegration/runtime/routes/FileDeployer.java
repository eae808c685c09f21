package io.mqttintegration.runtime.routes;

import java.nio.file.Path;

/**
 * Something a watched folder's files are deployed to (route files, parser files). Both methods
 * log a refused file themselves, naming it, and throw; what ran before keeps running.
 */
public interface FileDeployer {

    /** True for the files of this kind (by name). */
    boolean accepts(Path file);

    /** Deploys a new or changed file; false when its content is what already runs. */
    boolean deploy(Path file);

    /** Removes what a deleted file had deployed. */
    void undeploy(Path file);
}
