package io.mqttintegration.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.storage.InboundMessage;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.model.BeanDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pipeline-errors + dead-letters: a message the pipeline fails on is kept, with the reason, and answered. */
class DeadLetterRouteTest {

    @TempDir
    Path work;

    @Test
    void aMessageThePipelineFailsOnIsKeptAsADeadLetterAndTheOthersAreStored() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of()).withIngestKey()) {
            // Replace the parse step with one that fails on one topic, as a bug in a parser would.
            AdviceWith.adviceWith(service.runtime.camelContext(), "ingest-pipeline",
                    a -> a.weaveByType(BeanDefinition.class).selectFirst().replace().process(e -> {
                        InboundMessage m = e.getMessage().getBody(InboundMessage.class);
                        if (m.topic().contains("poison")) {
                            throw new IllegalStateException("parser bug on " + m.topic());
                        }
                    }));

            HttpResponse<String> response = service.postJson("/api/v1/ingest",
                    "[{\"topic\":\"p/devices/a/ok\",\"payload\":{\"v\":1}},"
                            + "{\"topic\":\"p/devices/b/poison\",\"payload\":{\"v\":2}},"
                            + "{\"topic\":\"p/devices/c/ok\",\"payload\":{\"v\":3}}]");

            assertEquals(202, response.statusCode(), response.body());
            assertEquals("{\"accepted\":3,\"deadLettered\":1}", response.body(), "the sender learns one was dead-lettered");
            assertEquals(2, Rows.count(db, "SELECT count(*) FROM mqtt_messages"));
            assertEquals("p/devices/b/poison|ingest-pipeline|IllegalStateException: parser bug on p/devices/b/poison",
                    Rows.text(db, "SELECT topic || '|' || route_id || '|' || reason FROM dead_letters"));
            DeadLetterHandler deadLetters = service.runtime.camelContext().getRegistry()
                    .lookupByNameAndType("deadLetters", DeadLetterHandler.class);
            assertEquals(1, deadLetters.kept(), "dead letters are counted");
        }
    }

    @Test
    void aMessageThatFailsBecauseTheDatabaseIsAwayIsNotDeadLetteredButRefused() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of()).withIngestKey()) {
            // As the parse step does when its integration lookup meets a database that is away.
            AdviceWith.adviceWith(service.runtime.camelContext(), "ingest-pipeline",
                    a -> a.weaveByType(BeanDefinition.class).selectFirst().replace().process(e -> {
                        InboundMessage m = e.getMessage().getBody(InboundMessage.class);
                        if (m.topic().contains("unlucky")) {
                            throw new io.mqttintegration.storage.StorageUnavailableException("database unavailable: refused",
                                    new java.sql.SQLException("Connection refused", "08001"));
                        }
                    }));

            HttpResponse<String> response = service.postJson("/api/v1/ingest",
                    "{\"topic\":\"p/devices/a/unlucky\",\"payload\":{\"v\":1}}");

            assertEquals(503, response.statusCode(), "the sender retries: " + response.body());
            assertEquals(0, Rows.count(db, "SELECT count(*) FROM dead_letters"), "a database outage is no poison message");
            assertEquals(0, Rows.count(db, "SELECT count(*) FROM mqtt_messages"));
        }
    }
}
