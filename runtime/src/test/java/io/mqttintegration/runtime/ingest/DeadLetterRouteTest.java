package io.mqttintegration.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.storage.InboundMessage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pipeline-errors + dead-letters: a batch the pipeline fails on (a bug: its steps never throw for
 * one message) is kept, with the reason, and its senders are answered; other batches are stored.
 */
class DeadLetterRouteTest {

    @TempDir
    Path work;

    /** Makes the writer's step fail, as a bug would, on a batch holding a message of the topic. */
    private static void failWritesOf(RuntimeHarness service, Predicate<String> topic, RuntimeException failure) throws Exception {
        AdviceWith.adviceWith(service.runtime.camelContext(), "ingest-pipeline",
                a -> a.weaveById("write").before().process((Exchange e) -> {
                    for (Object o : e.getMessage().getBody(List.class)) {
                        if (topic.test(((InboundMessage) o).topic())) {
                            throw failure;
                        }
                    }
                }));
    }

    @Test
    void aBatchThePipelineFailsOnIsKeptAsDeadLettersAndOtherBatchesAreStored() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of()).withIngestKey()) {
            failWritesOf(service, t -> t.contains("poison"), new IllegalStateException("pipeline bug"));

            HttpResponse<String> before = service.postJson("/api/v1/ingest", "{\"topic\":\"p/devices/a/ok\",\"payload\":{\"v\":1}}");
            HttpResponse<String> poisoned = service.postJson("/api/v1/ingest",
                    "[{\"topic\":\"p/devices/b/poison\",\"payload\":{\"v\":2}},{\"topic\":\"p/devices/c/ok\",\"payload\":{\"v\":3}}]");
            HttpResponse<String> after = service.postJson("/api/v1/ingest", "{\"topic\":\"p/devices/d/ok\",\"payload\":{\"v\":4}}");

            assertEquals(202, before.statusCode(), before.body());
            assertEquals(202, poisoned.statusCode(), poisoned.body());
            assertEquals("{\"accepted\":2,\"deadLettered\":2}", poisoned.body(), "the sender learns its messages were dead-lettered");
            assertEquals(202, after.statusCode(), after.body());
            assertEquals("[p/devices/a/ok, p/devices/d/ok]", Rows.text(db, "SELECT string_agg(topic, ', ' ORDER BY topic) FROM mqtt_messages")
                    .transform(s -> "[" + s + "]"), "the batches before and after are stored");
            assertEquals("p/devices/b/poison|ingest-pipeline|IllegalStateException: pipeline bug, "
                    + "p/devices/c/ok|ingest-pipeline|IllegalStateException: pipeline bug",
                    Rows.text(db, "SELECT string_agg(topic || '|' || route_id || '|' || reason, ', ' ORDER BY topic) FROM dead_letters"),
                    "the failed batch is kept whole, with the reason");
            DeadLetterHandler deadLetters = service.runtime.camelContext().getRegistry()
                    .lookupByNameAndType("deadLetters", DeadLetterHandler.class);
            assertEquals(2, deadLetters.kept(), "dead letters are counted");
        }
    }

    @Test
    void aBatchThatFailsBecauseTheDatabaseIsAwayIsNotDeadLetteredButRefused() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of()).withIngestKey()) {
            failWritesOf(service, t -> t.contains("unlucky"), new io.mqttintegration.storage.StorageUnavailableException(
                    "database unavailable: refused", new java.sql.SQLException("Connection refused", "08001")));

            HttpResponse<String> response = service.postJson("/api/v1/ingest",
                    "{\"topic\":\"p/devices/a/unlucky\",\"payload\":{\"v\":1}}");

            assertEquals(503, response.statusCode(), "the sender retries: " + response.body());
            assertEquals(0, Rows.count(db, "SELECT count(*) FROM dead_letters"), "a database outage is no poison message");
            assertEquals(0, Rows.count(db, "SELECT count(*) FROM mqtt_messages"));
        }
    }
}
