package io.mqttintegration.runtime.sinks;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.storage.MessageIds;
import io.mqttintegration.storage.Tenancy;
import io.mqttintegration.storage.sinks.SinkRecord;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tenant's dead receiver (it accepts connections and never answers) slows neither another
 * tenant's sink nor ingestion: every ingest request is answered and the other receiver gets
 * everything before the first of the dead receiver's deliveries has even timed out (30 s, the dead
 * sink's timeoutMillis and sinks.timeoutMillis): nothing waited for them.
 */
class SinkIsolationTest {

    @TempDir
    Path work;

    @Test
    void aReceiverThatNeverAnswersHoldsUpNeitherAnotherTenantsSinkNorIngestion() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                WebhookReceiver good = new WebhookReceiver();
                RuntimeHarness service = RuntimeHarness.start(db, work, Map.of("sinks.pollMillis", "20", "sinks.timeoutMillis", "30000",
                        "sinks.retryBaseMillis", "100", "sinks.retryMaxSeconds", "1"))) {
            Thread accepter = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        held.add(silent.accept()); // kept open, never read, never answered
                    } catch (Exception closed) {
                        return;
                    }
                }
            }, "silent-receiver");
            accepter.start();
            Sender dead = tenant(service, db, "dead", "http://127.0.0.1:" + silent.getLocalPort() + "/in");
            Sender alive = tenant(service, db, "alive", good.url("/in"));
            service.runtime.sinks().dispatcher().claim();

            long start = System.nanoTime();
            for (int round = 0; round < 10; round++) {
                for (Sender t : List.of(dead, alive)) {
                    assertEquals(202, service.send("POST", "/api/v1/ingest", t.ingestKey(), batch(round)).statusCode(),
                            "ingestion is not held up");
                }
            }
            long ingested = System.nanoTime();
            await().atMost(Duration.ofSeconds(60)).until(() -> good.accepted().size() >= 200);
            long delivered = System.nanoTime();
            long deadFailed = failed(service, dead.sinkId());
            System.out.printf("sink isolation: 400 messages ingested in %d ms; the live tenant's 200 delivered %d ms later, while the"
                    + " dead tenant's receiver held %d connections unanswered (%d of its deliveries failed so far)%n",
                    (ingested - start) / 1_000_000, (delivered - ingested) / 1_000_000, held.size(), deadFailed);
            assertEquals(200, good.accepted().size());
            assertTrue(held.size() > 0, "the dead tenant's sink was delivering");
            assertEquals(0, deadFailed, "no delivery to the dead receiver had timed out yet: neither ingestion nor the live sink waited");
            // Refused from now on, the dead sink's deliveries fail at once, and the service stops without waiting for them.
            silent.close();
            for (Socket h : held) {
                h.close();
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    /** An organization's integration, the key that ingests into it, and its sink. */
    private record Sender(String integrationId, String ingestKey, String sinkId) {
    }

    /** The sink's {@code mqi_sink_failed_total} in the Prometheus scrape. */
    private static long failed(RuntimeHarness service, String sinkId) throws Exception {
        String scrape = service.send("GET", "/metrics", RuntimeHarness.OPERATOR_KEY, null).body();
        return scrape.lines().filter(l -> l.startsWith("mqi_sink_failed_total{") && l.contains("sink=\"" + sinkId + "\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no mqi_sink_failed_total for sink " + sinkId + " in " + scrape));
    }

    /** An organization with an integration, an ingest key of it and a webhook sink to url. */
    private static Sender tenant(RuntimeHarness service, DataSource db, String name, String url) throws Exception {
        RuntimeHarness.Tenant org = service.createOrganization(name);
        var json = io.mqttintegration.parsers.Json.strict();
        String integration = json.readTree(service.send("POST", "/api/v1/integrations", org.adminKey(),
                "{\"name\":\"b\",\"settings\":{\"host\":\"broker.example\"}}").body()).path("id").asText();
        String ingestKey = json.readTree(service.send("POST", "/api/v1/organizations/" + org.organizationId() + "/api-keys", org.adminKey(),
                "{\"name\":\"ingest\",\"scopes\":[\"ingest\"],\"integrationId\":\"" + integration + "\"}").body()).path("key").asText();
        UUID orgId = UUID.fromString(org.organizationId());
        byte[] sealed = service.runtime.sinks().secrets().seal(Map.of(SinkSignatures.SECRET, SinkSignatures.newSecret()), orgId);
        SinkRecord sink = new SinkRecord(MessageIds.next(), orgId, UUID.fromString(integration), "hook", "webhook",
                "{\"url\":\"" + url + "\",\"timeoutMillis\":\"30000\"}", sealed, "#", null, "raw", false, 1000, null, null);
        new Tenancy(db).inOrg(orgId, c -> service.runtime.sinks().store().insert(c, sink));
        return new Sender(integration, ingestKey, sink.id().toString());
    }

    private static String batch(int round) {
        StringBuilder b = new StringBuilder("[");
        for (int k = 0; k < 20; k++) {
            b.append(k == 0 ? "" : ",").append("{\"topic\":\"devices/d").append(k % 4).append("/t\",\"payload\":{\"n\":")
                    .append(round * 20 + k).append("}}");
        }
        return b.append("]").toString();
    }
}
