package io.mqttintegration.runtime.console;

import io.mqttintegration.spi.console.OperatorConsole;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.runtime.ShippedRoutes;
import io.mqttintegration.console.DeadLettersCommand;
import io.mqttintegration.console.DeviceListCommand;
import io.mqttintegration.console.IntegrationListCommand;
import io.mqttintegration.console.IntegrationTestCommand;
import io.mqttintegration.console.ParserListCommand;
import io.mqttintegration.console.QueueStatsCommand;
import io.mqttintegration.console.SinkListCommand;
import io.mqttintegration.console.StorageCommand;
import io.mqttintegration.storage.DeadLetterStore;
import io.mqttintegration.storage.InboundMessage;
import io.mqttintegration.storage.MessageWriter;
import io.mqttintegration.storage.StoreOutcome;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import io.mqttintegration.console.RouteListCommand;
import io.mqttintegration.console.RouteReloadCommand;
import io.mqttintegration.console.SubscriptionListCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.camel.builder.AdviceWith;
import org.apache.karaf.shell.api.action.Action;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mqtt:* Karaf console commands, run as Karaf runs them (the action with its OperatorConsole
 * reference set, output captured) against the real product, PostgreSQL and Mosquitto.
 */
class ConsoleCommandsTest {

    @TempDir
    Path work;
    DataSource db;
    RuntimeHarness service;
    OperatorConsole console;

    @BeforeEach
    void start() throws Exception {
        db = TestDatabase.newDatabase();
        // No folder watcher: here the console is what reloads route files.
        service = RuntimeHarness.start(db, work, Map.of("routes.reload.enabled", "false")).withIngestKey();
        console = service.runtime.console();
    }

    @AfterEach
    void stop() {
        service.close();
    }

    /** Runs an action with its console reference set, as Karaf would, and returns what it printed. */
    String run(Action action, Object... fields) throws Exception {
        Class<?> type = action.getClass();
        set(action, "console", console);
        for (int i = 0; i < fields.length; i += 2) {
            set(action, (String) fields[i], fields[i + 1]);
        }
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        synchronized (System.class) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            try {
                assertNull(action.execute(), type.getSimpleName() + " prints its answer");
            } finally {
                System.setOut(original);
            }
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        System.err.print("karaf@root()> mqtt:" + type.getSimpleName() + "\n" + printed);
        return printed;
    }

    private static void set(Object target, String field, Object value) throws Exception {
        var f = target.getClass().getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
    }

    static String line(String table, String containing) {
        return Arrays.stream(table.split("\n")).filter(l -> l.contains(containing)).findFirst()
                .orElseThrow(() -> new AssertionError("no line with " + containing + " in\n" + table));
    }

    @Test
    void routeListShowsEachRouteWithItsFileStateAndExchanges() throws Exception {
        assertEquals(202, service.postJson("/api/v1/ingest", "{\"topic\":\"a/devices/d1/t\",\"payload\":{\"v\":1}}").statusCode());
        assertEquals(400, service.postJson("/api/v1/ingest", "{\"topic\":").statusCode());

        String table = run(new RouteListCommand());
        assertTrue(table.startsWith("ID"), table);
        assertTrue(line(table, "ingest-pipeline ").contains("ingest-pipeline.camel.yaml"), table);
        String http = line(table, "http-ingest ");
        assertTrue(http.matches("http-ingest\\s+\\|\\s+http-ingest\\.camel\\.yaml\\s+\\|\\s+Started\\s+\\|\\s+2\\s+\\|\\s+1\\s+\\|\\s+.*"),
                "two requests, the malformed one failed: " + http);
        assertTrue(http.contains("malformed") || http.contains("JSON") || http.contains("Exception"),
                "the last failure is shown: " + http);
        assertEquals(ShippedRoutes.routeIds().size(), table.split("\n").length - 2,
                "every shipped route is listed (after the header and its rule): " + table);
        for (String id : ShippedRoutes.routeIds()) {
            line(table, id + " ");
        }
    }

    @Test
    void routeReloadDeploysChangedFilesAndValidateTouchesNothing() throws Exception {
        Path file = service.routesDir.resolve("hello.camel.yaml");
        Files.writeString(file, hello("hello-console", "v1"));

        String validated = run(new RouteReloadCommand(), "file", "hello.camel.yaml", "validate", true);
        assertEquals("valid      hello.camel.yaml: route hello-console\n", validated);
        assertNull(service.runtime.camelContext().getRoute("hello-console"), "a dry run starts nothing");

        assertEquals("reloaded   hello.camel.yaml\n", run(new RouteReloadCommand(), "file", "hello.camel.yaml"));
        assertEquals("v1", get("/hello/hello-console"));
        assertEquals("unchanged  hello.camel.yaml\n", run(new RouteReloadCommand(), "file", "hello.camel.yaml"));

        Files.writeString(file, hello("hello-console", "v2").replace("platform-http:", "platfrom-http:"));
        String typo = run(new RouteReloadCommand(), "file", "hello.camel.yaml", "validate", true);
        assertTrue(typo.startsWith("rejected   hello.camel.yaml: ") && typo.contains("unknown component 'platfrom-http'"), typo);
        String refused = run(new RouteReloadCommand(), "file", "hello.camel.yaml");
        assertTrue(refused.startsWith("rejected   hello.camel.yaml") && refused.endsWith("(the running version is kept)\n"), refused);
        assertEquals("v1", get("/hello/hello-console"), "the last good version still answers");

        // A candidate outside the folder is checked as the file it would replace: its ids may repeat that file's only.
        Path candidate = work.resolve("hello.camel.yaml");
        Files.writeString(candidate, hello("hello-console", "v2"));
        assertEquals("valid      hello.camel.yaml: route hello-console\n",
                run(new RouteReloadCommand(), "file", candidate.toString(), "validate", true));
        Path clash = work.resolve("other.camel.yaml");
        Files.writeString(clash, hello("http-ingest", "x"));
        String duplicate = run(new RouteReloadCommand(), "file", clash.toString(), "validate", true);
        assertTrue(duplicate.contains("route id http-ingest is already defined in"), duplicate);

        Files.writeString(file, hello("hello-console", "v2"));
        String all = run(new RouteReloadCommand());
        assertTrue(all.contains("reloaded   hello.camel.yaml\n") && all.contains("unchanged  http-ingest.camel.yaml\n"), all);
        assertEquals("v2", get("/hello/hello-console"));
    }

    @Test
    void routeListCountsGoOnAcrossAReloadOfTheRouteFile() throws Exception {
        Path file = service.routesDir.resolve("hello.camel.yaml");
        Files.writeString(file, hello("hello-console", "v1"));
        assertEquals("reloaded   hello.camel.yaml\n", run(new RouteReloadCommand(), "file", "hello.camel.yaml"));
        assertEquals("v1", get("/hello/hello-console"));
        assertEquals("v1", get("/hello/hello-console"));
        // An exchange is counted when Camel is done with it, which may come just after the answer.
        await("both counted").atMost(Duration.ofSeconds(5))
                .until(() -> line(run(new RouteListCommand()), "hello-console ").matches(helloRow(2)));

        Files.writeString(file, hello("hello-console", "v2"));
        assertEquals("reloaded   hello.camel.yaml\n", run(new RouteReloadCommand(), "file", "hello.camel.yaml"));
        assertTrue(line(run(new RouteListCommand()), "hello-console ").matches(helloRow(2)), "the route came back with its counts");
        assertEquals("v2", get("/hello/hello-console"));
        await("the new version's request counted on top").atMost(Duration.ofSeconds(5))
                .until(() -> line(run(new RouteListCommand()), "hello-console ").matches(helloRow(3)));
    }

    private static String helloRow(int total) {
        return "hello-console\\s+\\|\\s+hello\\.camel\\.yaml\\s+\\|\\s+Started\\s+\\|\\s+" + total + "\\s+\\|\\s+0\\s+\\|\\s+-";
    }

    @Test
    void integrationListShowsEveryOrganizationOrOne() throws Exception {
        RuntimeHarness.Tenant other = service.createOrganization("other");
        HttpResponse<String> created = service.send("POST", "/api/v1/integrations", other.adminKey(),
                "{\"name\":\"line 2\",\"settings\":{\"host\":\"broker.other\",\"port\":8883,\"protocol\":\"mqtts\"}}");
        assertEquals(201, created.statusCode(), created.body());

        String all = run(new IntegrationListCommand());
        assertTrue(line(all, service.integrationId).contains("mqtt://broker.example:1883"), all);
        assertTrue(line(all, "line 2").contains("mqtts://broker.other:8883") && line(all, "line 2").contains(other.organizationId()), all);

        String one = run(new IntegrationListCommand(), "org", other.organizationId());
        assertEquals(3, one.split("\n").length, "header, its rule and the other organization's one integration: " + one);
        assertFalse(one.contains(service.integrationId), one);
    }

    @Test
    void integrationTestRunsTheConnectionTestAndRecordsIt() throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of())) {
            String id = brokerIntegration(broker.port());
            String ok = run(new IntegrationTestCommand(), "id", id);
            assertTrue(ok.startsWith("ok in "), ok);
            for (String step : new String[] {"dns", "tcp", "connect", "subscribe", "publish", "receive"}) {
                assertTrue(line(ok, step + " ").contains("true"), ok);
            }
            assertEquals("console|ok", Rows.text(db, "SELECT actor || '|' || outcome FROM activity_log WHERE action = 'integration.tested'"),
                    "the console's test is in the activity log");
        }
        String closedPort = brokerIntegration(RuntimeHarness.freePort());
        String failed = run(new IntegrationTestCommand(), "id", closedPort);
        assertTrue(failed.startsWith("failed: refused in "), failed);
    }

    @Test
    void subscriptionListShowsStateAndCounters() throws Exception {
        try (MosquittoBroker broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of())) {
            String id = brokerIntegration(broker.port());
            HttpResponse<String> r = service.send("POST", "/api/v1/integrations/" + id + "/subscribe", admin(),
                    "{\"topics\":[\"site/devices/+/telemetry\"],\"qos\":1}");
            assertEquals(200, r.statusCode(), r.body());
            broker.subscribed("site/devices/+/telemetry");
            broker.publishLines("site/devices/d7/telemetry", java.util.List.of("{\"t\":1}", "{\"t\":2}"), 1, null, null);
            await("both stored").atMost(Duration.ofSeconds(20))
                    .until(() -> Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'mqtt'") == 2);
            await("counted").atMost(Duration.ofSeconds(5)).until(() -> line(run(new SubscriptionListCommand()), id).contains(" 2 "));

            String row = line(run(new SubscriptionListCommand()), id);
            assertTrue(row.matches(id + "\\s+\\|\\s+connected\\s+\\|\\s+\\S+Z\\s+\\|\\s+2\\s+\\|\\s+2\\s+\\|\\s+0\\s+\\|\\s+site/devices/\\+/telemetry\\s+\\|\\s+-"), row);
        }
    }

    @Test
    void sinkListShowsEachSinkWithTheNodeDeliveringItItsCountsAndItsBacklog() throws Exception {
        MosquittoBroker broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of());
        String sink;
        try {
            String target = created(service.send("POST", "/api/v1/integrations", service.adminKey,
                    "{\"name\":\"downstream\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + broker.port() + "}}"));
            sink = created(service.send("POST", "/api/v1/integrations/" + service.integrationId + "/sinks", service.adminKey,
                    "{\"name\":\"republish\",\"kind\":\"mqtt\",\"settings\":{\"integrationId\":\"" + target
                            + "\",\"topic\":\"out/${header.mqiTopic}\"},\"maxAttempts\":1000}"));
            Process sub = broker.subscribe("out/#", 3, 60, null, null);
            broker.subscribed("out/#");
            ingest(0, 3);
            assertTrue(sub.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the sink republished the three messages");
            await("the deliveries counted").atMost(Duration.ofSeconds(10))
                    .until(() -> line(run(new SinkListCommand()), sink).matches(".*\\|\\s+3\\s+\\|\\s+0\\s+\\|\\s+0\\s+\\|\\s+0\\s+\\|\\s+-"));
        } finally {
            broker.close();
        }
        // The receiver is gone: the next two messages wait in the outbox, each delivery that fails counted.
        ingest(3, 2);
        await("the failed deliveries counted").atMost(Duration.ofSeconds(30))
                .until(() -> line(run(new SinkListCommand()), sink).matches(".*\\|\\s+3\\s+\\|\\s+[1-9][0-9]*\\s+\\|\\s+0\\s+\\|\\s+2\\s+\\|.*"));

        RuntimeHarness.Tenant other = service.createOrganization("other");
        String otherIntegration = created(service.send("POST", "/api/v1/integrations", other.adminKey(),
                "{\"name\":\"line 2\",\"settings\":{\"host\":\"broker.other\"}}"));
        String paused = created(service.send("POST", "/api/v1/integrations/" + otherIntegration + "/sinks", other.adminKey(),
                "{\"name\":\"later\",\"kind\":\"mqtt\",\"settings\":{\"integrationId\":\"" + otherIntegration
                        + "\"},\"paused\":true}"));

        String all = run(new SinkListCommand());
        assertTrue(all.startsWith("ID "), all);
        String node = Rows.text(db, "SELECT lease_node FROM sinks WHERE id = '" + sink + "'");
        String row = line(all, sink);
        assertTrue(row.matches(sink + "\\s+\\|\\s+" + service.organizationId + "\\s+\\|\\s+" + service.integrationId
                + "\\s+\\|\\s+mqtt\\s+\\|\\s+republish\\s+\\|\\s+active\\s+\\|\\s+" + node
                + "\\s+\\|\\s+3\\s+\\|\\s+[1-9][0-9]*\\s+\\|\\s+0\\s+\\|\\s+2\\s+\\|\\s+(\\d+s|\\d+m\\d\\ds)"),
                "delivered by this node: 3 delivered, failed deliveries, 2 messages waiting, the oldest's age: " + row);
        assertTrue(line(all, paused).matches(paused + "\\s+\\|\\s+" + other.organizationId() + "\\s+\\|\\s+" + otherIntegration
                + "\\s+\\|\\s+mqtt\\s+\\|\\s+later\\s+\\|\\s+paused(\\s+\\|\\s+-){4}\\s+\\|\\s+0\\s+\\|\\s+-"),
                "paused: no node holds it, no counts, nothing waiting: " + all);
        assertTrue(all.endsWith("2 sinks, 1 delivered by this node (" + node + "): DELIVERED, FAILED and DEAD LETTERED are its counts\n"), all);

        String one = run(new SinkListCommand(), "org", other.organizationId());
        assertEquals(4, one.split("\n").length, "header, its rule, the other organization's sink and the summary: " + one);
        assertTrue(one.contains(paused) && !one.contains(sink), one);
        String byIntegration = run(new SinkListCommand(), "integration", service.integrationId);
        assertTrue(byIntegration.contains(sink) && !byIntegration.contains(paused), byIntegration);
    }

    @Test
    void deviceListShowsEveryNodesDevicesFromPresenceWithStateAndIntegrationOptions() throws Exception {
        // Rows as the presence engine writes them (the operator): one device online on another node,
        // one offline, and another organization's device online over HTTP.
        RuntimeHarness.Tenant other = service.createOrganization("other");
        String otherIntegration = created(service.send("POST", "/api/v1/integrations", other.adminKey(),
                "{\"name\":\"line 2\",\"settings\":{\"host\":\"broker.other\"}}"));
        try (java.sql.Connection c = db.getConnection(); java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("SELECT set_config('mqi.operator', 'on', true)");
            st.execute("INSERT INTO device_presence (id, organization_id, integration_id, device_id, state, since, reason, last_seen,"
                    + " last_source, node, connection_id, client_id, remote_address) VALUES"
                    + " (gen_random_uuid(), '" + service.organizationId + "', '" + service.integrationId + "', 'pump-1', 'online',"
                    + " '2026-12-07T10:00:00.250Z', 'connected', '2026-12-07T10:05:00Z', 'hosted', 'node-b', 'node-b/7', 'pump-1-client',"
                    + " '10.1.2.3:40000'),"
                    + " (gen_random_uuid(), '" + service.organizationId + "', '" + service.integrationId + "', 'pump-2', 'offline',"
                    + " '2026-12-07T09:00:00Z', 'keep_alive_timeout', '2026-12-07T08:59:30Z', 'hosted', null, null, null, null),"
                    + " (gen_random_uuid(), '" + other.organizationId() + "', '" + otherIntegration + "', 'meter-9', 'online',"
                    + " '2026-12-07T11:00:00Z', 'message', '2026-12-07T11:00:00Z', 'http', null, null, null, null)");
            c.commit();
        }
        String all = run(new DeviceListCommand());
        assertTrue(all.startsWith("ORGANIZATION "), all);
        assertTrue(line(all, "pump-1").matches(service.organizationId + "\\s+\\|\\s+" + service.integrationId
                + "\\s+\\|\\s+pump-1\\s+\\|\\s+online\\s+\\|\\s+2026-12-07T10:00:00Z\\s+\\|\\s+connected\\s+\\|\\s+2026-12-07T10:05:00Z"
                + "\\s+\\|\\s+node-b\\s+\\|\\s+pump-1-client\\s+\\|\\s+10.1.2.3:40000\\s+\\|\\s+-"),
                "another node's connection, from presence; no count of messages (only its node has it): " + all);
        assertTrue(line(all, "pump-2").matches(".*\\|\\s+pump-2\\s+\\|\\s+offline\\s+\\|.*keep_alive_timeout.*"), all);
        assertTrue(all.contains(other.organizationId()) && all.contains("meter-9"), "every organization's devices: " + all);
        assertTrue(all.matches("(?s).*\\n3 devices in device_presence \\(2 online\\); the hosted MQTT broker is not running on this node"
                + " \\(\\S+\\)\\n"), all);

        String online = run(new DeviceListCommand(), "state", "online");
        assertTrue(online.contains("pump-1") && online.contains("meter-9") && !online.contains("pump-2"), online);
        String offline = run(new DeviceListCommand(), "state", "offline");
        assertTrue(offline.contains("pump-2") && !offline.contains("pump-1"), offline);
        String one = run(new DeviceListCommand(), "integration", otherIntegration);
        assertEquals(4, one.split("\n").length, "header, its rule, the other integration's device and the summary: " + one);
        assertTrue(one.contains("meter-9"), one);
        assertThrows(IllegalArgumentException.class, () -> run(new DeviceListCommand(), "state", "asleep"));
    }

    private void ingest(int from, int count) throws Exception {
        StringBuilder batch = new StringBuilder("[");
        for (int k = from; k < from + count; k++) {
            batch.append(k == from ? "" : ",").append("{\"topic\":\"site/devices/d").append(k % 2)
                    .append("/telemetry\",\"payload\":{\"n\":").append(k).append("}}");
        }
        assertEquals(202, service.postJson("/api/v1/ingest", batch.append("]").toString()).statusCode());
    }

    private static String created(HttpResponse<String> r) throws Exception {
        assertEquals(201, r.statusCode(), r.body());
        return Json.strict().readTree(r.body()).path("id").asText();
    }

    @Test
    void queueStatsShowsQueueAndWriter() throws Exception {
        assertEquals(202, service.postJson("/api/v1/ingest", "[{\"topic\":\"a/devices/d1/t\",\"payload\":{\"v\":1}},"
                + "{\"topic\":\"a/devices/d2/t\",\"payload\":{\"v\":2}}]").statusCode());
        String stats = run(new QueueStatsCommand());
        assertTrue(line(stats, "queue capacity").endsWith(" 10000"), stats);
        assertTrue(line(stats, "queue depth").endsWith(" 0"), stats);
        assertTrue(line(stats, "in flight").endsWith(" 0"), stats);
        assertTrue(line(stats, "rejected").endsWith(" 0"), stats);
        assertTrue(line(stats, "stored").endsWith(" 2"), stats);
        assertTrue(line(stats, "batches committed").matches("batches committed\\s+\\|\\s+[12]"), stats);
    }

    @Test
    void storageListsThePartitionsTheRetentionAndRunsThePurge() throws Exception {
        assertEquals(202, service.postJson("/api/v1/ingest", "{\"topic\":\"a/devices/d1/t\",\"payload\":{\"v\":1}}").statusCode());
        // A row of 3 days ago: in this month's partition, or in the default one when its month has none.
        InboundMessage old = new InboundMessage(InboundMessage.Source.HTTP, "old", "{}".getBytes(StandardCharsets.UTF_8),
                "application/json", Instant.now().minus(Duration.ofDays(3)), null, null);
        new MessageWriter(db, new DeadLetterStore(db)).write(List.of(old));
        assertEquals(StoreOutcome.STORED, old.outcome().get());

        String before = run(new StorageCommand());
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        LocalDate month = today.withDayOfMonth(1);
        String thisMonth = line(before, "mqtt_messages_p" + month.toString().substring(0, 7).replace("-", ""));
        assertTrue(thisMonth.contains(month + "T00:00:00Z") && thisMonth.contains(month.plusMonths(1) + "T00:00:00Z"), thisMonth);
        LocalDate ahead = today.plusDays(7).withDayOfMonth(1);
        assertTrue(line(before, "mqtt_messages_p" + ahead.toString().substring(0, 7).replace("-", "")).contains("|"),
                "the month of 7 days ahead is made (storage.partitions.daysAhead)");
        assertTrue(line(before, "mqtt_messages_default").contains("(default)"), before);
        assertTrue(line(before, " partitions ").matches("\\d+ partitions .*"), before);
        assertTrue(line(before, "retention").contains("messages 0 unless"), "the shipped default keeps forever: " + before);
        assertTrue(line(before, "last purge").endsWith("none since the start"), before);

        service.close();
        service = RuntimeHarness.start(db, work, Map.of("routes.reload.enabled", "false", "retention.days", "1"));
        console = service.runtime.console();
        String after = run(new StorageCommand(), "purge", true);

        assertTrue(after.startsWith("maintenance ran"), after);
        assertTrue(line(after, "last purge").contains(": 1 message rows deleted, 0 partitions dropped"), after);
        assertEquals(1, Rows.count(db, "SELECT count(*) FROM mqtt_messages"), "today's message stays");
    }

    @Test
    void parserListShowsBuiltInAndFileParsers() throws Exception {
        String table = run(new ParserListCommand());
        assertTrue(line(table, "standard ").contains("built-in"), table);
        assertTrue(line(table, "senml ").contains("built-in"), table);
        String vendor = line(table, "vendor-nested ");
        assertTrue(vendor.contains("file") && vendor.contains("json") && vendor.endsWith("vendor-nested.parser.yaml"), vendor);
        assertTrue(line(table, "csv-line ").contains("csv"), table);
    }

    @Test
    void deadLettersListsAndReplaysAKeptMessage() throws Exception {
        AtomicBoolean pipelineBroken = new AtomicBoolean(true);
        AdviceWith.adviceWith(service.runtime.camelContext(), "ingest-pipeline",
                a -> a.weaveById("write").before().process(e -> {
                    for (Object o : e.getMessage().getBody(java.util.List.class)) {
                        InboundMessage m = (InboundMessage) o;
                        if (pipelineBroken.get() && m.topic().contains("poison")) {
                            throw new IllegalStateException("pipeline bug on " + m.topic());
                        }
                    }
                }));
        HttpResponse<String> r = service.postJson("/api/v1/ingest", "{\"topic\":\"p/devices/b/poison\",\"payload\":{\"v\":2}}");
        assertEquals("{\"accepted\":1,\"deadLettered\":1}", r.body());
        String id = Rows.text(db, "SELECT id FROM dead_letters");

        String listed = run(new DeadLettersCommand());
        String row = line(listed, id);
        assertTrue(row.contains("p/devices/b/poison") && row.contains(" no ") && row.contains("pipeline bug"), row);

        String again = run(new DeadLettersCommand(), "replay", id);
        assertEquals("dead letter " + id + " failed again and was kept as a new dead letter (see mqtt:dead-letters)\n", again);
        assertEquals(2, Rows.count(db, "SELECT count(*) FROM dead_letters"));

        pipelineBroken.set(false);
        String replayed = run(new DeadLettersCommand(), "replay", id);
        assertTrue(replayed.startsWith("dead letter " + id + " replayed: stored as message "), replayed);
        assertEquals("b|{\"v\": 2}", Rows.text(db, "SELECT device_id || '|' || metrics::text FROM mqtt_messages"),
                "the replayed message is stored, parsed");
        assertNotNull(Rows.text(db, "SELECT replayed_at FROM dead_letters WHERE id = '" + id + "'"));
        assertTrue(run(new DeadLettersCommand(), "replay", id).contains("was already replayed"), "a replay happens once");
        assertFalse(line(run(new DeadLettersCommand()), id).contains(" no "), "listed as replayed");
    }

    private String admin() throws Exception {
        return adminKey;
    }

    private String adminKey;

    private String brokerIntegration(int port) throws Exception {
        if (adminKey == null) {
            adminKey = service.createOrganization("brokers").adminKey();
        }
        HttpResponse<String> r = service.send("POST", "/api/v1/integrations", adminKey,
                "{\"name\":\"local\",\"settings\":{\"host\":\"127.0.0.1\",\"port\":" + port + "}}");
        assertEquals(201, r.statusCode(), r.body());
        return Json.strict().readTree(r.body()).path("id").asText();
    }

    private String get(String path) throws Exception {
        return service.send("GET", path, null, null).body();
    }

    private static String hello(String id, String answer) {
        return """
                - route:
                    id: %s
                    from:
                      uri: platform-http:/hello/%s
                      steps:
                        - setBody:
                            constant: "%s"
                """.formatted(id, id, answer);
    }
}
