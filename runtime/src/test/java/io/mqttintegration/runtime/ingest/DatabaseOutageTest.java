package io.mqttintegration.runtime.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real PostgreSQL stopped and started again under the running service. */
class DatabaseOutageTest {

    @TempDir
    Path work;

    private static final String MESSAGE = "{\"topic\":\"plant/devices/d-1/t\",\"payload\":{\"v\":1}}";

    @Test
    void answers503WhileTheDatabaseIsDownAndResumesByItself() throws Exception {
        Path data = work.resolve("pg");
        int port = RuntimeHarness.freePort();
        EmbeddedDatabase postgres = EmbeddedDatabase.start(data, port, false);
        DataSource db = postgres.dataSource("postgres");
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of()).withIngestKey()) {
            assertEquals(202, service.postJson("/api/v1/ingest", MESSAGE).statusCode());

            postgres.close();
            long start = System.nanoTime();
            HttpResponse<String> down = service.postJson("/api/v1/ingest", MESSAGE);
            System.out.printf("database down: answered %d after %d ms%n", down.statusCode(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertEquals(503, down.statusCode(), down.body());
            assertTrue(down.body().contains("\"storage_unavailable\""), down.body());
            assertEquals("1", down.headers().firstValue("Retry-After").orElse(""), "clients are told when to retry");
            assertEquals(503, service.get("/health").statusCode(), "health reports the database down");

            postgres = EmbeddedDatabase.start(data, port, false);
            HttpResponse<String> back = awaitAccepted(service, Duration.ofSeconds(10));
            assertEquals(202, back.statusCode(), "ingestion resumes without a restart: " + back.body());
            assertEquals(2, Rows.count(db, "SELECT count(*) FROM mqtt_messages"),
                    "exactly the two accepted messages are stored; the refused one is not");
        } finally {
            postgres.close();
        }
    }

    private static HttpResponse<String> awaitAccepted(RuntimeHarness service, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> last;
        do {
            last = service.postJson("/api/v1/ingest", MESSAGE);
            if (last.statusCode() == 202) {
                return last;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        } while (System.nanoTime() < deadline);
        return last;
    }
}
