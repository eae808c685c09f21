package io.mqttintegration.spi.console;

import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * What the {@code mqtt:*} console commands (bundle {@code io.mqttintegration.console}) ask of the
 * running service (bundle {@code io.mqttintegration.runtime}), which registers it as an OSGi service
 * while it runs. Answers are text and tables of text; the console bundle draws them.
 */
public interface OperatorConsole {

    /** mqtt:route-list: every route, the file it came from, its state and exchanges. */
    ConsoleAnswer routes();

    /**
     * mqtt:route-reload: reloads one route file (or every file of the folder when null); with
     * validateOnly, checks it as a reload would without touching what runs. One line per file.
     *
     * @throws IllegalArgumentException a name that is not a route file of the folder
     */
    String reload(String file, boolean validateOnly) throws IOException;

    /** Route file names of the folder (for completion). */
    List<String> routeFileNames() throws IOException;

    /** mqtt:integration-list: integrations of every organization (or one), with their subscription state. */
    ConsoleAnswer integrations(UUID organizationId);

    /** Integration ids (for completion). */
    List<String> integrationIds();

    /** mqtt:integration-test: the API's connection test, recorded in the activity log (actor console). */
    ConsoleAnswer test(UUID integrationId);

    /** mqtt:subscription-list: every subscription this node runs. */
    ConsoleAnswer subscriptions();

    /**
     * mqtt:sink-list: the sinks of every organization, of one, or of one integration (each null for
     * all), with the node that delivers each, this node's counts of its deliveries, and its backlog.
     */
    ConsoleAnswer sinks(UUID organizationId, UUID integrationId);

    /**
     * mqtt:device-list: the devices of every node as device presence keeps them, of one state
     * ({@code online} or {@code offline}) and one integration when given (each null for all), with the
     * messages this node's hosted broker took from each device connected to it.
     *
     * @throws IllegalArgumentException a state that is neither online nor offline
     */
    ConsoleAnswer devices(String state, UUID integrationId);

    /** mqtt:queue-stats: the ingestion queue and the writer. */
    ConsoleAnswer queueStats();

    /** mqtt:storage: partitions, retention and the last purge; with {@code purge}, runs the maintenance first. */
    ConsoleAnswer storage(boolean purge);

    /** mqtt:parser-list: built-in parsers and the parsers declared in files. */
    ConsoleAnswer parsers();

    /** mqtt:dead-letters: the newest dead letters of every organization. */
    ConsoleAnswer deadLetters(int limit) throws SQLException;

    /** Ids of dead letters not replayed yet (for completion). */
    List<String> deadLetterIds() throws SQLException;

    /** mqtt:dead-letters --replay: sends a kept message through the pipeline again; one line saying what became of it. */
    String replay(UUID id) throws SQLException, InterruptedException;
}
