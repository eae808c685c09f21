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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
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
import io.mqttintegration.runtime.broker.ConnectedDevices;
import org.apache.karaf.shell.support.table.ShellTable;

/**
 * What the Karaf console commands ({@code mqtt:*}) show and do, free of Karaf so the tests run
 * exactly this. Registered as an OSGi service while the product runs; every answer is text (tables
 * from Karaf's ShellTable, in ASCII).
 */
public final class OperatorConsole {

    /** The parts of the running product the console reads. */
    public record Parts(CamelContext context, RouteFileDeployer deployer, Path routesDir, RouteCounts routeCounts, LastFailures lastFailures,
            IntegrationStore integrations, IntegrationTargets targets, ConnectionTester tester, ActivityLog activity,
            Subscriptions subscriptions, IngestQueue queue, MessageParsing parsing, MessageWriter writer, Metrics metrics, ParserRegistry parsers,
            DeadLetterStore deadLetters, long commitTimeoutMillis, Clock clock, StorageMaintenance storage) {
    }

    /** The longest cell shown; longer text is cut, with "...". */
    private static final int MAX_CELL = 80;

    private final Parts p;

    public OperatorConsole(Parts parts) {
        this.p = parts;
    }

    /** mqtt:route-list: every route, the file it came from, its state and exchanges. */
    public String routes() {
        ShellTable table = table("ID", "SOURCE", "STATE", "TOTAL", "FAILED", "LAST FAILURE");
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
            row(table, id, source, p.context().getRouteController().getRouteStatus(id), subscription ? "-" : c.total(),
                    subscription ? "-" : c.failed(), p.lastFailures().of(id));
        }
        return text(table);
    }

    /**
     * mqtt:route-reload: reloads one route file (or every file of the folder when null); with
     * validateOnly, checks it as a reload would without touching what runs (a file outside the
     * folder, by absolute path, is checked as the folder's file of the same name). A refused file
     * leaves its last good version running.
     */
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
    public String integrations(UUID organizationId) {
        ShellTable table = table("ID", "ORGANIZATION", "NAME", "BROKER", "ENABLED", "SUBSCRIPTION");
        Map<UUID, SubscriptionStatus> statuses = p.subscriptions().statuses();
        for (IntegrationRecord r : p.integrations().listAll(organizationId, 10_000)) {
            SubscriptionStatus s = statuses.get(r.id());
            row(table, r.id(), r.organizationId(), r.name(), broker(r), r.enabled(),
                    s == null ? null : s.state().name().toLowerCase(Locale.ROOT));
        }
        return text(table);
    }

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
    public String test(UUID integrationId) {
        IntegrationRecord r = p.integrations().find(integrationId)
                .orElseThrow(() -> new IllegalArgumentException("no integration " + integrationId));
        Map<String, Object> report = p.tester().test(p.targets().target(r, "-test"));
        boolean ok = Boolean.TRUE.equals(report.get("ok"));
        p.activity().record(r.organizationId(), r.id(), null, "console", "integration.tested", ok ? "ok" : "error",
                detail(report));
        ShellTable steps = table("STEP", "OK", "MS", "DETAIL");
        for (Object o : (List<?>) report.get("steps")) {
            Map<?, ?> step = (Map<?, ?>) o;
            row(steps, step.get("step"), step.get("ok"), step.get("ms"), step.get("detail"));
        }
        return (ok ? "ok" : "failed: " + report.get("error")) + " in " + report.get("latencyMs") + " ms (" + broker(r) + ")\n"
                + text(steps);
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
    public String subscriptions() {
        ShellTable table = table("INTEGRATION", "STATE", "CONNECTED SINCE", "RECEIVED", "STORED", "FAILED", "TOPICS", "LAST ERROR");
        new TreeMap<>(p.subscriptions().statuses()).forEach((id, s) -> {
            Map<String, Object> v = s.view();
            row(table, id, v.get("state"), v.get("connectedSince"), v.get("received"), v.get("stored"), v.get("failed"),
                    String.join(" ", s.topics()), v.get("lastError") == null ? null : v.get("lastErrorAt") + ": " + v.get("lastError"));
        });
        return text(table);
    }

    /** mqtt:queue-stats: the ingestion queue and the writer. */
    public String queueStats() {
        ShellTable table = table("METRIC", "VALUE");
        row(table, "queue depth", p.queue().depth());
        row(table, "queue capacity", p.queue().capacity());
        row(table, "in flight", p.metrics().inFlight());
        row(table, "rejected (503, queue full)", p.queue().rejected());
        row(table, "stored", p.writer().storedMessages());
        row(table, "failed (database)", p.writer().failedMessages());
        row(table, "dead letters kept", p.deadLetters().kept());
        row(table, "batches committed", p.metrics().batches());
        row(table, "mean batch size", String.format(Locale.ROOT, "%.1f", p.metrics().meanBatchSize()));
        row(table, "last batch size", p.writer().lastBatchSize());
        row(table, "last commit ms", p.writer().lastCommitMillis());
        return text(table);
    }

    /**
     * mqtt:storage: the partitions of mqtt_messages, oldest first, with PostgreSQL's estimates of their
     * rows (pg_class.reltuples, kept by ANALYZE and autovacuum: 0 before the first) and their bytes
     * (heap, indexes, TOAST); the retention in force; the last purge. With {@code purge}, runs the
     * maintenance (partitions ahead, then the purge) now, first.
     */
    public String storage(boolean purge) {
        StringBuilder out = new StringBuilder();
        if (purge) {
            out.append(p.storage().run() ? "maintenance ran\n" : "maintenance did not complete: see the log\n");
        }
        ShellTable table = table("PARTITION", "FROM", "TO", "ROWS (EST.)", "BYTES");
        long rows = 0;
        long bytes = 0;
        List<PartitionMaintenance.Partition> partitions = p.storage().partitions();
        for (PartitionMaintenance.Partition part : partitions) {
            row(table, part.name(), part.isDefault() ? "(default)" : part.from() == null ? "(all before)" : part.from(),
                    part.isDefault() ? "(default)" : part.to(), part.rows(), part.bytes());
            rows += part.rows();
            bytes += part.bytes();
        }
        row(table, partitions.size() + " partitions", "", "", rows, bytes);
        out.append(text(table));
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
        return out.toString();
    }

    /** mqtt:parser-list: built-in parsers and the parsers declared in files. */
    public String parsers() {
        ShellTable table = table("NAME", "KIND", "FORMAT", "TOPIC FILTER", "FILE");
        for (String name : p.parsers().names()) {
            Optional<ParserDefinition> d = p.parsers().definition(name);
            row(table, name, d.isPresent() ? "file" : "built-in",
                    d.map(x -> x.format().name().toLowerCase(Locale.ROOT)).orElse(null),
                    d.map(ParserDefinition::topicFilter).orElse(null),
                    p.parsers().fileOf(name).map(f -> f.getFileName().toString()).orElse(null));
        }
        return text(table);
    }

    /** mqtt:dead-letters: the newest dead letters of every organization. */
    public String deadLetters(int limit) throws SQLException {
        ShellTable table = table("ID", "CREATED", "INTEGRATION", "SOURCE", "TOPIC", "BYTES", "REPLAYED", "REASON");
        for (DeadLetter d : p.deadLetters().newest(limit)) {
            row(table, d.id(), d.createdAt() == null ? null : d.createdAt().toInstant(), d.integrationId(), d.source(), d.topic(),
                    d.payload() == null ? 0 : d.payload().length, d.replayedAt() == null ? "no" : d.replayedAt().toInstant(),
                    d.reason());
        }
        return text(table);
    }

    public List<String> deadLetterIds() throws SQLException {
        return p.deadLetters().newest(1_000).stream().filter(d -> d.replayedAt() == null).map(d -> d.id().toString()).toList();
    }

    /**
     * mqtt:dead-letters --replay: sends the kept message through the pipeline again (parse, batch,
     * commit) and marks the dead letter replayed once it is stored. A message that fails again is
     * kept as a new dead letter; the first stays unreplayed.
     */
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

    /**
     * A table of the console: Karaf's {@link ShellTable}, always in ASCII (" | " between columns, a
     * "-+-" rule under the header). Without forceAscii, ShellTable draws box characters whenever the
     * charset it prints with can encode them; the text is printed later, to a terminal whose encoding
     * this cannot know. No width is given, so no column is cut or stretched to a terminal's, and no
     * column is bold or coloured: plain text, the same in tests and over SSH.
     */
    /**
     * mqtt:device-list: the devices connected to this node's hosted broker, oldest connection first:
     * organization, integration, username, client id, remote address, connected since, messages the
     * broker took from it on this connection.
     */
    public static String devices(ConnectedDevices connected) {
        ShellTable table = table("ORGANIZATION", "INTEGRATION", "USERNAME", "CLIENT ID", "REMOTE ADDRESS", "CONNECTED SINCE", "RECEIVED");
        for (ConnectedDevices.Device d : connected.devices()) {
            row(table, d.identity().organizationId(), d.identity().integrationId(), d.identity().username(), d.clientId(),
                    d.remoteAddress(), d.since().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), d.received());
        }
        return text(table) + connected.connected() + " connected\n";
    }

    private static ShellTable table(String... headers) {
        ShellTable table = new ShellTable().forceAscii();
        for (String header : headers) {
            table.column(header);
        }
        return table;
    }

    private static void row(ShellTable table, Object... cells) {
        table.addRow().addContent(Arrays.stream(cells).map(OperatorConsole::cell).toArray());
    }

    private static String text(ShellTable table) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, false, StandardCharsets.UTF_8);
        table.print(print, StandardCharsets.UTF_8, true);
        print.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    /** One line per row: whitespace (an exception's line breaks) folded, "-" for nothing, long text cut. */
    private static String cell(Object value) {
        String text = value == null ? "" : value.toString().replaceAll("\\s+", " ").trim();
        if (text.isEmpty()) {
            return "-";
        }
        return text.length() > MAX_CELL ? text.substring(0, MAX_CELL - 3) + "..." : text;
    }
}
