package io.mqttintegration.runtime.console;

import io.mqttintegration.parsers.Json;
import io.mqttintegration.parsers.ParserDefinition;
import io.mqttintegration.runtime.integrations.BrokerSettings;
import io.mqttintegration.runtime.integrations.IntegrationTargets;
import io.mqttintegration.runtime.ingest.IngestQueue;
import io.mqttintegration.runtime.ingest.MessageParsing;
import io.mqttintegration.runtime.metrics.Metrics;
import io.mqttintegration.runtime.metrics.RouteCounts;
import io.mqttintegration.runtime.mqtt.ConnectionTester;
import io.mqttintegration.runtime.parsers.ParserRegistry;
import io.mqttintegration.runtime.routes.FolderWatcher;
import io.mqttintegration.runtime.routes.RouteFileDeployer;
import io.mqttintegration.runtime.routes.RouteFileException;
import io.mqttintegration.runtime.subscriptions.SubscriptionStatus;
import io.mqttintegration.runtime.subscriptions.Subscriptions;
import io.mqttintegration.storage.DeadLetter;
import io.mqttintegration.storage.DeadLetterStore;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.MessageWriter;
import io.mqttintegration.storage.PartitionMaintenance;
import io.mqttintegration.storage.RetentionPurge;
import io.mqttintegration.runtime.storage.StorageMaintenance;
import io.mqttintegration.storage.StoreOutcome;
import io.mqttintegration.storage.tenants.ActivityLog;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import io.mqttintegration.spi.console.ConsoleAnswer;
import io.mqttintegration.spi.console.ConsoleTable;
import io.mqttintegration.spi.console.OperatorConsole;

/**
 * What the Karaf console commands ({@code mqtt:*}, bundle {@code io.mqttintegration.console}) show and
 * do: registered as the OSGi service {@link OperatorConsole} while the product runs. Answers are text
 * and tables of text, free of Karaf; the console bundle draws them.
 */
public final class ProductConsole implements OperatorConsole {

    /** The parts of the running product the console reads. */
    public record Parts(CamelContext context, RouteFileDeployer deployer, Path routesDir, RouteCounts routeCounts, LastFailures lastFailures,
            IntegrationStore integrations, IntegrationTargets targets, ConnectionTester tester, ActivityLog activity,
            Subscriptions subscriptions, IngestQueue queue, MessageParsing parsing, MessageWriter writer, Metrics metrics, ParserRegistry parsers,
            DeadLetterStore deadLetters, long commitTimeoutMillis, Clock clock, StorageMaintenance storage) {
    }

    private final Parts p;

    public ProductConsole(Parts parts) {
        this.p = parts;
    }

    /** mqtt:route-list: every route, the file it came from, its state and exchanges. */
    @Override
    public ConsoleAnswer routes() {
        ConsoleTable table = new ConsoleTable("ID", "SOURCE", "STATE", "TOTAL", "FAILED", "LAST FAILURE");
        Map<String, RouteCounts.Counts> counts = p.routeCounts().byRoute();
        List<Route> routes = new ArrayList<>(p.context().getRoutes());
        routes.sort((a, b) -> a.getRouteId().compareTo(b.getRouteId()));
        for (Route route : routes) {
            String id = route.getRouteId();
            boolean subscription = Subscriptions.isSubscriptionRoute(id);
            String source = p.deployer().sourceOf(id).map(f -> f.getFileName().toString())
                    .orElse(subscription ? "template " + Subscriptions.TEMPLATE : "-");
            RouteCounts.Counts c = counts.getOrDefault(id, RouteCounts.Counts.NONE);
            // A subscription's messages are counted per integration: mqtt:subscription-list.
            table.row(id, source, p.context().getRouteController().getRouteStatus(id), subscription ? "-" : c.total(),
                    subscription ? "-" : c.failed(), p.lastFailures().of(id));
        }
        return ConsoleAnswer.of(table);
    }

    /**
     * mqtt:route-reload: reloads one route file (or every file of the folder when null); with
     * validateOnly, checks it as a reload would without touching what runs (a file outside the
     * folder, by absolute path, is checked as the folder's file of the same name). A refused file
     * leaves its last good version running.
     */
    @Override
    public String reload(String file, boolean validateOnly) throws IOException {
        List<Path> files = file == null ? FolderWatcher.filesOf(p.routesDir(), p.deployer())
                : List.of(validateOnly ? candidateFile(file) : routeFile(file));
        StringBuilder out = new StringBuilder();
        for (Path f : files) {
            String name = f.getFileName().toString();
            String line;
            try {
                line = validateOnly
                        ? "valid      " + name + ": " + String.join(", ", p.deployer().validate(f, p.routesDir().resolve(name)))
                        : (p.deployer().deploy(f) ? "reloaded   " : "unchanged  ") + name;
            } catch (RouteFileException e) {
                line = "rejected   " + name + ": " + e.getMessage() + (validateOnly ? "" : " (the running version is kept)");
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** Route file names of the folder (for completion). */
    @Override
    public List<String> routeFileNames() throws IOException {
        return FolderWatcher.filesOf(p.routesDir(), p.deployer()).stream().map(f -> f.getFileName().toString()).toList();
    }

    /**
     * A file to validate: a route file of the folder by name, or any readable file by absolute path
     * (a candidate checked before it is copied into the folder, as the file of the same name).
     */
    private Path candidateFile(String name) {
        Path f = Path.of(name);
        if (!f.isAbsolute()) {
            return routeFile(name);
        }
        if (!p.deployer().accepts(f) || !Files.isRegularFile(f)) {
            throw new IllegalArgumentException(name + " is not a readable *.camel.yaml or *.xml file");
        }
        return f;
    }

    private Path routeFile(String name) {
        Path f = p.routesDir().resolve(name).normalize();
        if (!f.startsWith(p.routesDir()) || !p.deployer().accepts(f)) {
            throw new IllegalArgumentException(name + " is not a route file of " + p.routesDir());
        }
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("no such route file: " + f);
        }
        return f;
    }

    /** mqtt:integration-list: integrations of every organization (or one), with their subscription state. */
    @Override
    public ConsoleAnswer integrations(UUID organizationId) {
        ConsoleTable table = new ConsoleTable("ID", "ORGANIZATION", "NAME", "BROKER", "ENABLED", "SUBSCRIPTION");
        Map<UUID, SubscriptionStatus> statuses = p.subscriptions().statuses();
        for (IntegrationRecord r : p.integrations().listAll(organizationId, 10_000)) {
            SubscriptionStatus s = statuses.get(r.id());
            table.row(r.id(), r.organizationId(), r.name(), broker(r), r.enabled(),
                    s == null ? null : s.state().name().toLowerCase(Locale.ROOT));
        }
        return ConsoleAnswer.of(table);
    }

    @Override
    public List<String> integrationIds() {
        return p.integrations().listAll(null, 10_000).stream().map(r -> r.id().toString()).toList();
    }

    private static String broker(IntegrationRecord r) {
        try {
            BrokerSettings s = BrokerSettings.fromStored(r.settingsJson(), Map.of());
            return s.protocolOrDefault() + "://" + s.host() + ":" + s.portOrDefault();
        } catch (IllegalStateException e) {
            return null;
        }
    }

    /** mqtt:integration-test: the connection test of the API, recorded in the activity log (actor console). */
    @Override
    public ConsoleAnswer test(UUID integrationId) {
        IntegrationRecord r = p.integrations().find(integrationId)
                .orElseThrow(() -> new IllegalArgumentException("no integration " + integrationId));
        Map<String, Object> report = p.tester().test(p.targets().target(r, "-test"));
        boolean ok = Boolean.TRUE.equals(report.get("ok"));
        p.activity().record(r.organizationId(), r.id(), null, "console", "integration.tested", ok ? "ok" : "error",
                detail(report));
        ConsoleTable steps = new ConsoleTable("STEP", "OK", "MS", "DETAIL");
        for (Object o : (List<?>) report.get("steps")) {
            Map<?, ?> step = (Map<?, ?>) o;
            steps.row(step.get("step"), step.get("ok"), step.get("ms"), step.get("detail"));
        }
        return new ConsoleAnswer((ok ? "ok" : "failed: " + report.get("error")) + " in " + report.get("latencyMs") + " ms ("
                + broker(r) + ")\n", steps, "");
    }

    private static String detail(Map<String, Object> report) {
        Map<String, Object> detail = new TreeMap<>();
        detail.put("latencyMs", report.get("latencyMs"));
        if (report.containsKey("error")) {
            detail.put("error", report.get("error"));
        }
        try {
            return Json.strict().writeValueAsString(detail);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** mqtt:subscription-list: every subscription this node runs. */
    @Override
    public ConsoleAnswer subscriptions() {
        ConsoleTable table = new ConsoleTable("INTEGRATION", "STATE", "CONNECTED SINCE", "RECEIVED", "STORED", "FAILED", "TOPICS", "LAST ERROR");
        new TreeMap<>(p.subscriptions().statuses()).forEach((id, s) -> {
            Map<String, Object> v = s.view();
            table.row(id, v.get("state"), v.get("connectedSince"), v.get("received"), v.get("stored"), v.get("failed"),
                    String.join(" ", s.topics()), v.get("lastError") == null ? null : v.get("lastErrorAt") + ": " + v.get("lastError"));
        });
        return ConsoleAnswer.of(table);
    }

    /** mqtt:queue-stats: the ingestion queue and the writer. */
    @Override
    public ConsoleAnswer queueStats() {
        ConsoleTable table = new ConsoleTable("METRIC", "VALUE");
        table.row("queue depth", p.queue().depth());
        table.row("queue capacity", p.queue().capacity());
        table.row("in flight", p.metrics().inFlight());
        table.row("rejected (503, queue full)", p.queue().rejected());
        table.row("stored", p.writer().storedMessages());
        table.row("failed (database)", p.writer().failedMessages());
        table.row("dead letters kept", p.deadLetters().kept());
        table.row("batches committed", p.metrics().batches());
        table.row("mean batch size", String.format(Locale.ROOT, "%.1f", p.metrics().meanBatchSize()));
        table.row("last batch size", p.writer().lastBatchSize());
        table.row("last commit ms", p.writer().lastCommitMillis());
        return ConsoleAnswer.of(table);
    }

    /**
     * mqtt:storage: the partitions of mqtt_messages, oldest first, with PostgreSQL's estimates of their
     * rows (pg_class.reltuples, kept by ANALYZE and autovacuum: 0 before the first) and their bytes
     * (heap, indexes, TOAST); the retention in force; the last purge. With {@code purge}, runs the
     * maintenance (partitions ahead, then the purge) now, first.
     */
    @Override
    public ConsoleAnswer storage(boolean purge) {
        String before = "";
        if (purge) {
            before = p.storage().run() ? "maintenance ran\n" : "maintenance did not complete: see the log\n";
        }
        ConsoleTable table = new ConsoleTable("PARTITION", "FROM", "TO", "ROWS (EST.)", "BYTES");
        long rows = 0;
        long bytes = 0;
        List<PartitionMaintenance.Partition> partitions = p.storage().partitions();
        for (PartitionMaintenance.Partition part : partitions) {
            table.row(part.name(), part.isDefault() ? "(default)" : part.from() == null ? "(all before)" : part.from(),
                    part.isDefault() ? "(default)" : part.to(), part.rows(), part.bytes());
            rows += part.rows();
            bytes += part.bytes();
        }
        table.row(partitions.size() + " partitions", "", "", rows, bytes);
        StringBuilder out = new StringBuilder();
        RetentionPurge.Settings r = p.storage().retention();
        out.append("retention (days, 0 = forever): messages ").append(r.defaultDays())
                .append(" unless an organization sets its own, dead letters ").append(r.deadLetterDays())
                .append(", activity ").append(r.activityDays()).append("; purge batches of ").append(r.batchSize())
                .append(" messages, ").append(r.pause().toMillis()).append(" ms apart\n");
        Optional<RetentionPurge.Result> last = p.storage().lastPurge();
        if (last.isEmpty()) {
            out.append("last purge: none since the start\n");
        } else {
            RetentionPurge.Result l = last.get();
            out.append("last purge: ").append(l.at()).append(" in ").append(l.took().toMillis()).append(" ms: ")
                    .append(l.deletedRows()).append(" message rows deleted, ").append(l.droppedPartitions().size())
                    .append(" partitions dropped ").append(l.droppedPartitions()).append(" (~").append(l.droppedRows())
                    .append(" rows), ").append(l.clientMessageIds()).append(" client message ids, ").append(l.deadLetters())
                    .append(" dead letters, ").append(l.activity()).append(" activity entries\n");
        }
        return new ConsoleAnswer(before, table, out.toString());
    }

    /** mqtt:parser-list: built-in parsers and the parsers declared in files. */
    @Override
    public ConsoleAnswer parsers() {
        ConsoleTable table = new ConsoleTable("NAME", "KIND", "FORMAT", "TOPIC FILTER", "FILE");
        for (String name : p.parsers().names()) {
            Optional<ParserDefinition> d = p.parsers().definition(name);
            table.row(name, d.isPresent() ? "file" : "built-in",
                    d.map(x -> x.format().name().toLowerCase(Locale.ROOT)).orElse(null),
                    d.map(ParserDefinition::topicFilter).orElse(null),
                    p.parsers().fileOf(name).map(f -> f.getFileName().toString()).orElse(null));
        }
        return ConsoleAnswer.of(table);
    }

    /** mqtt:dead-letters: the newest dead letters of every organization. */
    @Override
    public ConsoleAnswer deadLetters(int limit) throws SQLException {
        ConsoleTable table = new ConsoleTable("ID", "CREATED", "INTEGRATION", "SOURCE", "TOPIC", "BYTES", "REPLAYED", "REASON");
        for (DeadLetter d : p.deadLetters().newest(limit)) {
            table.row(d.id(), d.createdAt() == null ? null : d.createdAt().toInstant(), d.integrationId(), d.source(), d.topic(),
                    d.payload() == null ? 0 : d.payload().length, d.replayedAt() == null ? "no" : d.replayedAt().toInstant(),
                    d.reason());
        }
        return ConsoleAnswer.of(table);
    }

    @Override
    public List<String> deadLetterIds() throws SQLException {
        return p.deadLetters().newest(1_000).stream().filter(d -> d.replayedAt() == null).map(d -> d.id().toString()).toList();
    }

    /**
     * mqtt:dead-letters --replay: sends the kept message through the pipeline again (parse, batch,
     * commit) and marks the dead letter replayed once it is stored. A message that fails again is
     * kept as a new dead letter; the first stays unreplayed.
     */
    @Override
    public String replay(UUID id) throws SQLException, InterruptedException {
        DeadLetter d = p.deadLetters().find(id).orElseThrow(() -> new IllegalArgumentException("no dead letter " + id));
        if (d.replayedAt() != null) {
            return "dead letter " + id + " was already replayed at " + d.replayedAt().toInstant();
        }
        if (d.organizationId() == null || d.integrationId() == null || d.topic() == null || d.payload() == null) {
            return "dead letter " + id + " cannot be replayed: it was refused before it had an integration (" + d.reason() + ")";
        }
        InboundMessage message = new InboundMessage(
                "mqtt".equals(d.source()) ? InboundMessage.Source.MQTT : InboundMessage.Source.HTTP, d.topic(), d.payload(),
                null, p.clock().instant(), d.organizationId(), d.integrationId());
        p.queue().enqueue(p.parsing().parse(message));
        StoreOutcome outcome;
        try {
            outcome = message.outcome().get(p.commitTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return "dead letter " + id + " was queued but not committed within " + p.commitTimeoutMillis() + " ms; "
                    + "check mqtt:queue-stats, then mqtt:dead-letters";
        } catch (java.util.concurrent.ExecutionException e) {
            return "dead letter " + id + " was not stored: " + e.getCause().getMessage();
        }
        if (outcome == StoreOutcome.DEAD_LETTERED) {
            return "dead letter " + id + " failed again and was kept as a new dead letter (see mqtt:dead-letters)";
        }
        p.deadLetters().markReplayed(id);
        return "dead letter " + id + " replayed: stored as message " + message.id() + " (" + d.payload().length + " bytes, topic "
                + d.topic() + ")";
    }
}
