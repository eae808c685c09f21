package io.mqttintegration.storage;

import static io.mqttintegration.storage.MessagePartitionsMigrationTest.operatorRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Reading;
import io.mqttintegration.storage.tenants.IntegrationRecord;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.Organization;
import io.mqttintegration.storage.tenants.OrganizationStore;
import io.mqttintegration.storage.tenants.ReceiveMonths;
import io.mqttintegration.storage.tenants.TelemetryStore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device catalog and the per-month ts bounds (V13) as the batch writer fills them, and the
 * telemetry queries that read them: GET /telemetry/latest takes its devices from the catalog, the
 * ts-range queries read only the partitions of the months whose bounds meet their range.
 */
class TelemetryCatalogTest {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private DataSource ds;
    private Tenancy tenancy;
    private TelemetryStore telemetry;
    private Organization a;
    private Organization b;
    private UUID ia;
    private UUID ib;

    @BeforeEach
    void setUp() {
        ds = TestDatabase.newDatabase();
        SchemaMigrations.apply(ds);
        tenancy = new Tenancy(ds);
        telemetry = new TelemetryStore(tenancy);
        OrganizationStore orgs = new OrganizationStore(tenancy);
        IntegrationStore integrations = new IntegrationStore(tenancy);
        a = orgs.create("a");
        b = orgs.create("b");
        ia = integration(integrations, a);
        ib = integration(integrations, b);
    }

    private UUID integration(IntegrationStore integrations, Organization org) {
        UUID id = MessageIds.next();
        tenancy.inOrg(org.id(), c -> integrations.insert(c, new IntegrationRecord(id, org.id(), org.name(), "mqtt", "{}", null,
                true, null, null)));
        return id;
    }

    private static InboundMessage message(Organization org, UUID integration, Instant receivedAt, Reading... readings) {
        InboundMessage m = new InboundMessage(InboundMessage.Source.HTTP, "t", "{}".getBytes(StandardCharsets.UTF_8),
                "application/json", receivedAt, org.id(), integration);
        m.parsed(List.of(readings));
        return m;
    }

    private static Reading reading(String device, Instant ts, Object value) {
        return new Reading(device, ts, Map.of("v", value));
    }

    private static void stored(MessageWriter writer, InboundMessage... batch) throws Exception {
        writer.write(List.of(batch));
        for (InboundMessage m : batch) {
            assertEquals(StoreOutcome.STORED, m.outcome().get(), m.toString());
        }
    }

    private List<String> catalog() {
        return operatorRows(tenancy, "SELECT organization_id || '/' || device_id FROM mqtt_device_catalog ORDER BY 1");
    }

    @Test
    void aNewDeviceEntersTheCatalogOnceWithTheBatchThatBroughtIt() throws Exception {
        MessageWriter writer = new MessageWriter(ds, new DeadLetterStore(ds));
        stored(writer, message(a, ia, NOW, reading("d-1", NOW, 1), reading("d-2", NOW, 2)),
                message(a, ia, NOW, reading("d-1", NOW.plusSeconds(1), 3)));
        stored(writer, message(a, ia, NOW.plusSeconds(5), reading("d-1", NOW.plusSeconds(5), 4)));
        stored(new MessageWriter(ds, new DeadLetterStore(ds)), message(a, ia, NOW.plusSeconds(9), reading("d-1", NOW, 5)));

        assertEquals(List.of(a.id() + "/d-1", a.id() + "/d-2"), catalog(),
                "each device once, though three batches of two writers (one not knowing it) brought it");
        assertEquals(List.of(NOW.toString().replace("T", " ").replace("Z", "+00")), operatorRows(tenancy,
                "SELECT DISTINCT first_seen FROM mqtt_device_catalog"), "first seen: the receive time of its first batch");
    }

    @Test
    void twoWritersBringingTheSameNewDevicesAndBoundsAtOnceNeitherFailNorDuplicate() throws Exception {
        MessageWriter one = new MessageWriter(ds, new DeadLetterStore(ds));
        MessageWriter two = new MessageWriter(ds, new DeadLetterStore(ds));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<?>> writes = new ArrayList<>();
                // a day before any bound yet: both writers widen this month's bounds in this round
                Instant day = Instant.parse("1960-01-01T12:00:00Z").minus(round, ChronoUnit.DAYS);
                for (MessageWriter writer : List.of(one, two)) {
                    // the same new devices of two organizations, in opposite orders in the two batches
                    List<String> devices = writer == one ? List.of("r" + round + "-x", "r" + round + "-y")
                            : List.of("r" + round + "-y", "r" + round + "-x");
                    InboundMessage ma = message(a, ia, NOW, reading(devices.get(0), day, 1), reading(devices.get(1), day, 2));
                    InboundMessage mb = message(b, ib, NOW, reading(devices.get(0), day, 1), reading(devices.get(1), day, 2));
                    writes.add(pool.submit(() -> {
                        start.await();
                        if (writer == one) {
                            stored(writer, ma, mb);
                        } else {
                            stored(writer, mb, ma);
                        }
                        return null;
                    }));
                }
                for (Future<?> w : writes) {
                    w.get();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of("80|40"), operatorRows(tenancy, "SELECT count(*), count(DISTINCT device_id) FROM mqtt_device_catalog"),
                "each device once in each organization");
        assertEquals(List.of("160"), operatorRows(tenancy, "SELECT count(*) FROM mqtt_messages"), "every message stored");
        assertEquals(List.of("1959-12-13 00:00:00+00"), operatorRows(tenancy, "SELECT min_ts FROM mqtt_ts_bounds"));
    }

    @Test
    void aBatchThatDidNotCommitTeachesTheWriterNothing() throws Exception {
        MessageWriter writer = new MessageWriter(ds, new DeadLetterStore(ds));
        // numeric overflow: PostgreSQL refuses the row, the message becomes a dead letter, its batch rolls back
        InboundMessage poison = message(a, ia, NOW, reading("d-9", NOW, new BigDecimal("1e999999")));
        writer.write(List.of(poison));
        assertEquals(StoreOutcome.DEAD_LETTERED, poison.outcome().get());
        assertEquals(List.of(), catalog(), "no catalog row for a message not stored");

        stored(writer, message(a, ia, NOW, reading("d-9", NOW, 1)));
        assertEquals(List.of(a.id() + "/d-9"), catalog(), "the writer did not take the refused batch's key as written");
    }

    @Test
    void anOrganizationSeesAndWritesOnlyItsOwnCatalogRows() throws Exception {
        MessageWriter writer = new MessageWriter(ds, new DeadLetterStore(ds));
        stored(writer, message(a, ia, NOW, reading("d-a", NOW, 1)), message(b, ib, NOW, reading("d-b", NOW, 2)));
        assertEquals(2, catalog().size(), "a batch of two organizations catalogues both");

        assertEquals(List.of("d-a"), tenancy.inOrg(a.id(), c -> strings(c, "SELECT device_id FROM mqtt_device_catalog")));
        assertEquals(List.of("d-b"), tenancy.inOrg(b.id(), c -> strings(c, "SELECT device_id FROM mqtt_device_catalog")));
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> tenancy.inOrg(a.id(), c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO mqtt_device_catalog VALUES (?, ?, 'forged', now())")) {
                ps.setObject(1, b.id());
                ps.setObject(2, ib);
                return ps.executeUpdate();
            }
        }));
        assertTrue(refused.getMessage().contains("row-level security"), refused.getMessage());
        assertEquals(List.of("t|t"), operatorRows(tenancy, "SELECT relrowsecurity, relforcerowsecurity FROM pg_class"
                + " WHERE relname = 'mqtt_device_catalog'"), "forced, like every per-organization table");
        assertEquals(List.of("a"), telemetry.latest(a.id(), null).stream().map(r -> r.deviceId().substring(2)).toList());
    }

    @Test
    void theNewestReadingTimeWinsWhicheverArrivedLast() throws Exception {
        MessageWriter writer = new MessageWriter(ds, new DeadLetterStore(ds));
        Instant t = NOW.minus(2, ChronoUnit.HOURS);
        stored(writer, message(a, ia, NOW, reading("d-1", t, 10)));
        stored(writer, message(a, ia, NOW.plusSeconds(1), reading("d-1", t.minusSeconds(600), 9)),
                message(a, ia, NOW.plusSeconds(1), reading("d-2", t.minusSeconds(60), 20)));
        List<String> latest = telemetry.latest(a.id(), ia).stream().map(r -> r.deviceId() + "@" + r.timestamp()).toList();
        assertEquals(List.of("d-1@" + t, "d-2@" + t.minusSeconds(60)), latest,
                "d-1's older reading received later does not replace its newest");
        assertEquals(latest, telemetry.latest(a.id(), null).stream().map(r -> r.deviceId() + "@" + r.timestamp()).toList());
        assertEquals(List.of(), telemetry.latest(a.id(), ib), "another integration's devices are not listed");
    }

    @Test
    void aFarPastAndAFarFutureReadingWidenTheirReceiveMonthsBoundsAndAreFound() throws Exception {
        MessageWriter writer = new MessageWriter(ds, new DeadLetterStore(ds));
        stored(writer, message(a, ia, NOW, reading("d-1", NOW, 1)));
        String month = TelemetryIndex.month(NOW).toString();
        List<String> before = operatorRows(tenancy, "SELECT month || '|' || min_ts || '|' || max_ts FROM mqtt_ts_bounds");
        assertEquals(1, before.size(), before.toString());

        Instant past = Instant.parse("1970-01-02T03:04:05Z");
        Instant future = Instant.parse("2100-05-06T07:08:09Z");
        // the same writer: it knows this month's bounds, which hold neither time, and must widen them
        stored(writer, message(a, ia, NOW, reading("d-1", past, 2), reading("d-1", future, 3)));

        assertEquals(List.of(month + "|1970-01-02 00:00:00+00|2100-05-07 00:00:00+00"),
                operatorRows(tenancy, "SELECT month || '|' || min_ts || '|' || max_ts FROM mqtt_ts_bounds"),
                "rounded out to whole UTC days, on the month the readings were received in");
        assertEquals(List.of(past), telemetry.readings(a.id(), null, "d-1", null, Instant.parse("1970-01-02T00:00:00Z"),
                Instant.parse("1970-01-03T00:00:00Z"), null, 10).stream().map(TelemetryStore.Row::timestamp).toList());
        assertEquals(1, telemetry.aggregate(a.id(), ia, null, "v", Instant.parse("2100-05-06T00:00:00Z"),
                Instant.parse("2100-05-07T00:00:00Z"), "1 day").get(0).count());
        assertEquals(3, telemetry.readings(a.id(), null, "d-1", null, null, null, null, 10).size(),
                "without a range every month is read");
    }

    @Test
    void aRangeOutsideAllBoundsReadsNoPartitionAndFindsNothing() throws Exception {
        MessageWriter writer = new MessageWriter(ds, new DeadLetterStore(ds));
        stored(writer, message(a, ia, NOW, reading("d-1", NOW, 1)));
        Instant from = Instant.parse("1950-01-01T00:00:00Z");
        Instant to = Instant.parse("1950-01-02T00:00:00Z");
        assertEquals(List.of(), telemetry.readings(a.id(), null, null, null, from, to, null, 10));
        assertEquals(List.of(), telemetry.aggregate(a.id(), null, null, "v", from, to, "1 hour"));
        assertTrue(months(from, to).isEmpty(), "no month to read: the readings query is not even sent");
    }

    /**
     * Four months of messages, each received in its own month's partition; a query over one day reads
     * the one partition of the month that holds it, and says so in its plan.
     */
    @Test
    void aOneDayQueryReadsOnlyThePartitionOfTheMonthsThatHoldIt() throws Exception {
        Instant thisMonth = TelemetryIndex.month(NOW).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        MessageWriter writer = new MessageWriter(ds, new DeadLetterStore(ds));
        List<String> partitions = new ArrayList<>();
        try (Connection owner = ds.getConnection(); Statement st = owner.createStatement()) {
            for (int back = 3; back >= 1; back--) {
                Instant received = thisMonth.atOffset(java.time.ZoneOffset.UTC).minusMonths(back).plusDays(10).plusHours(12).toInstant();
                try (ResultSet rs = st.executeQuery("SELECT mqi_create_message_partition('"
                        + received.atOffset(java.time.ZoneOffset.UTC).toLocalDate() + "')")) {
                    rs.next();
                    partitions.add(rs.getString(1));
                }
                stored(writer, message(a, ia, received, reading("d-1", received.minusSeconds(60), back)));
            }
        }
        Instant day = thisMonth.atOffset(java.time.ZoneOffset.UTC).minusMonths(2).plusDays(10).toInstant().truncatedTo(ChronoUnit.DAYS);
        ReceiveMonths months = months(day, day.plus(1, ChronoUnit.DAYS));
        assertEquals(1, months.newestFirst().size(), months.toString());
        List<String> read = read(plan(readingsParameters("v", day, day.plus(1, ChronoUnit.DAYS), months.all(), 10)));
        assertEquals(List.of(partitions.get(1)), read, "of " + partitions + " and this month's, the second only");
        assertEquals(1, telemetry.readings(a.id(), null, "d-1", "v", day, day.plus(1, ChronoUnit.DAYS), null, 10).size());
    }

    /**
     * The newest reading is first looked for among the last two receive months, then in the months
     * whose bounds reach it: a newer reading received long before, and a device silent for months,
     * are still found.
     */
    @Test
    void theNewestReadingIsFoundInWhicheverMonthItWasReceived() throws Exception {
        Instant thisMonth = TelemetryIndex.month(NOW).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        Instant longAgo = thisMonth.atOffset(java.time.ZoneOffset.UTC).minusMonths(4).plusDays(3).toInstant();
        try (Connection owner = ds.getConnection(); Statement st = owner.createStatement()) {
            st.executeQuery("SELECT mqi_create_message_partition('" + longAgo.atOffset(java.time.ZoneOffset.UTC).toLocalDate() + "')")
                    .close();
        }
        Instant future = Instant.parse("2100-01-01T00:00:00Z");
        MessageWriter writer = new MessageWriter(ds, new DeadLetterStore(ds));
        stored(writer, message(a, ia, longAgo, reading("d-ahead", future, 1), reading("d-silent", longAgo.minusSeconds(5), 2)));
        stored(writer, message(a, ia, NOW, reading("d-ahead", NOW.minusSeconds(5), 3), reading("d-now", NOW.minusSeconds(1), 4)));

        assertEquals(List.of("d-ahead@" + future, "d-now@" + NOW.minusSeconds(1), "d-silent@" + longAgo.minusSeconds(5)),
                telemetry.latest(a.id(), ia).stream().map(r -> r.deviceId() + "@" + r.timestamp()).toList(),
                "d-ahead's reading of 2100, received four months ago, is newer than its reading received today;"
                        + " d-silent sent nothing in the last two months");
        assertEquals(List.of("1", "4", "2"), telemetry.latest(a.id(), null).stream().map(r -> r.metricsJson().replaceAll("\\D", ""))
                .toList());
    }

    /**
     * The last readings of a device, without a range, come from the two newest receive months when
     * they hold the page and no earlier month's bounds reach it; a reading received long ago with a
     * newer time, a device silent for months and paging with the cursor all still get every reading.
     */
    @Test
    void theLastReadingsAreReadFromTheTwoNewestReceiveMonthsUnlessAnEarlierMonthCanHoldOne() throws Exception {
        Instant thisMonth = TelemetryIndex.month(NOW).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        MessageWriter writer = new MessageWriter(ds, new DeadLetterStore(ds));
        List<Instant> times = new ArrayList<>();
        try (Connection owner = ds.getConnection(); Statement st = owner.createStatement()) {
            for (int back = 3; back >= 0; back--) {
                Instant received = back == 0 ? NOW
                        : thisMonth.atOffset(java.time.ZoneOffset.UTC).minusMonths(back).plusDays(10).toInstant();
                st.executeQuery("SELECT mqi_create_message_partition('" + received.atOffset(java.time.ZoneOffset.UTC).toLocalDate()
                        + "')").close();
                stored(writer, message(a, ia, received, reading("d-1", received.minusSeconds(60), back)));
                times.add(0, received.minusSeconds(60));
            }
        }
        List<String> partitions = operatorRows(tenancy, "SELECT tableoid::regclass::text FROM mqtt_messages ORDER BY received_at");
        assertEquals(4, new java.util.HashSet<>(partitions).size(), "each month's own partition: " + partitions);
        List<String> twoNewest = partitions.subList(2, 4).stream().sorted().toList();

        assertEquals(times.subList(0, 2), timestamps(telemetry.readings(a.id(), null, "d-1", null, null, null, null, 2)));
        ReceiveMonths months = months(null, null);
        assertEquals(4, months.newestFirst().size(), months.toString());
        assertEquals(twoNewest, read(plan(readingsParameters(null, null, null, months.recent().orElseThrow(), 2))).stream()
                .sorted().toList(), "the page's two readings come from this month's and last month's partitions");
        assertEquals(java.util.Optional.empty(), months.reaching(times.get(1)), "no earlier month reaches the page");

        assertEquals(times, timestamps(telemetry.readings(a.id(), null, "d-1", null, null, null, null, 10)),
                "the two newest months hold fewer than 10: every month is read");
        List<Instant> paged = new ArrayList<>();
        TelemetryStore.After after = null;
        for (int page = 0; page < 6; page++) {
            List<TelemetryStore.Row> rows = telemetry.readings(a.id(), null, "d-1", null, null, null, after, 1);
            rows.forEach(r -> paged.add(r.timestamp()));
            after = rows.isEmpty() ? after : new TelemetryStore.After(rows.get(0).timestamp(), rows.get(0).messageId(), rows.get(0).seq());
        }
        assertEquals(times, paged, "one reading per page, newest first, each once");

        // Three months ago a device's clock said 2100; d-2 has sent nothing since then.
        Instant received = thisMonth.atOffset(java.time.ZoneOffset.UTC).minusMonths(3).plusDays(12).toInstant();
        Instant ahead = Instant.parse("2100-01-01T00:00:00Z");
        stored(writer, message(a, ia, received, reading("d-1", ahead, 9), reading("d-2", received.minusSeconds(1), 8)));
        assertEquals(List.of(ahead, times.get(0)), timestamps(telemetry.readings(a.id(), null, "d-1", null, null, null, null, 2)),
                "the reading of 2100, received three months ago, is d-1's newest");
        assertEquals(List.of(received.minusSeconds(1)), timestamps(telemetry.readings(a.id(), null, "d-2", null, null, null, null, 2)));
        assertEquals(List.of(ahead, times.get(0), times.get(1)), timestamps(telemetry.readings(a.id(), ia, null, null, null, null, null, 3)));
    }

    private static List<Instant> timestamps(List<TelemetryStore.Row> rows) {
        return rows.stream().map(TelemetryStore.Row::timestamp).toList();
    }

    /** The receive months a readings query over [from, to) reads, as the store finds them. */
    private ReceiveMonths months(Instant from, Instant to) {
        return tenancy.inOrg(a.id(), c -> ReceiveMonths.read(c, from, to, null));
    }

    /** Parameters of telemetry-readings: d-1's readings (of metric v, when given) in [from, to), received in the span. */
    private Object[] readingsParameters(String metric, Instant from, Instant to, ReceiveMonths.Span received, int limit) {
        java.time.OffsetDateTime f = from == null ? null : from.atOffset(java.time.ZoneOffset.UTC);
        java.time.OffsetDateTime t = to == null ? null : to.atOffset(java.time.ZoneOffset.UTC);
        return new Object[] {a.id(), received.from().atOffset(java.time.ZoneOffset.UTC), received.to().atOffset(java.time.ZoneOffset.UTC),
                null, null, "d-1", "d-1", metric, metric, f, f, t, t, null, null, null, null, limit};
    }

    /** EXPLAIN ANALYZE of telemetry-readings in organization a, printed. */
    private List<String> plan(Object[] parameters) {
        List<String> plan = tenancy.inOrg(a.id(), c -> {
            try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "
                    + SqlFiles.load("telemetry-readings"))) {
                for (int i = 0; i < parameters.length; i++) {
                    ps.setObject(i + 1, parameters[i], parameters[i] == null ? java.sql.Types.OTHER : sqlType(parameters[i]));
                }
                List<String> lines = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        lines.add(rs.getString(1));
                    }
                }
                return lines;
            }
        });
        plan.forEach(line -> System.out.println("  " + line));
        return plan;
    }

    private static int sqlType(Object value) {
        if (value instanceof Integer) {
            return java.sql.Types.INTEGER;
        }
        if (value instanceof String) {
            return java.sql.Types.VARCHAR;
        }
        if (value instanceof java.time.OffsetDateTime) {
            return java.sql.Types.TIMESTAMP_WITH_TIMEZONE;
        }
        return java.sql.Types.OTHER;
    }

    /** The partitions a plan executed (the pruned ones show "never executed"). */
    static List<String> read(List<String> plan) {
        Pattern scan = Pattern.compile(" on (mqtt_messages_\\w+)");
        List<String> read = new ArrayList<>();
        for (String line : plan) {
            Matcher m = scan.matcher(line);
            if (m.find() && !line.contains("never executed") && !read.contains(m.group(1))) {
                read.add(m.group(1));
            }
        }
        return read;
    }

    private static List<String> strings(Connection c, String sql) throws java.sql.SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
