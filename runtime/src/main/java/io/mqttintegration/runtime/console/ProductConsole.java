package io.mqttintegration.runtime.console;

import io.mqttintegration.spi.console.ConsoleAnswer;
import io.mqttintegration.spi.console.OperatorConsole;
import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * What the Karaf console commands ({@code mqtt:*}, bundle {@code io.mqttintegration.console}) show and
 * do: registered as the OSGi service {@link OperatorConsole} while the product runs. Each area's
 * answers are a small class of their own, made from what that area holds; answers are text and tables
 * of text, free of Karaf, and the console bundle draws them.
 */
public final class ProductConsole implements OperatorConsole {

    private final RouteAnswers routes;
    private final IntegrationAnswers integrations;
    private final PipelineAnswers pipeline;
    private final StorageAnswers storage;
    private final SinkAnswers sinks;
    private final DeviceAnswers devices;

    ProductConsole(RouteAnswers routes, IntegrationAnswers integrations, PipelineAnswers pipeline, StorageAnswers storage,
            SinkAnswers sinks, DeviceAnswers devices) {
        this.routes = routes;
        this.integrations = integrations;
        this.pipeline = pipeline;
        this.storage = storage;
        this.sinks = sinks;
        this.devices = devices;
    }

    @Override
    public ConsoleAnswer routes() {
        return routes.routes();
    }

    @Override
    public String reload(String file, boolean validateOnly) throws IOException {
        return routes.reload(file, validateOnly);
    }

    @Override
    public List<String> routeFileNames() throws IOException {
        return routes.routeFileNames();
    }

    @Override
    public ConsoleAnswer integrations(UUID organizationId) {
        return integrations.integrations(organizationId);
    }

    @Override
    public List<String> integrationIds() {
        return integrations.integrationIds();
    }

    @Override
    public ConsoleAnswer test(UUID integrationId) {
        return integrations.test(integrationId);
    }

    @Override
    public ConsoleAnswer subscriptions() {
        return integrations.subscriptions();
    }

    @Override
    public ConsoleAnswer sinks(UUID organizationId, UUID integrationId) {
        return sinks.sinks(organizationId, integrationId);
    }

    @Override
    public ConsoleAnswer devices(String state, UUID integrationId) {
        return devices.devices(state, integrationId);
    }

    @Override
    public ConsoleAnswer queueStats() {
        return pipeline.queueStats();
    }

    @Override
    public ConsoleAnswer storage(boolean purge) {
        return storage.storage(purge);
    }

    @Override
    public ConsoleAnswer parsers() {
        return pipeline.parsers();
    }

    @Override
    public ConsoleAnswer deadLetters(int limit) throws SQLException {
        return pipeline.deadLetters(limit);
    }

    @Override
    public List<String> deadLetterIds() throws SQLException {
        return pipeline.deadLetterIds();
    }

    @Override
    public String replay(UUID id) throws SQLException, InterruptedException {
        return pipeline.replay(id);
    }
}
