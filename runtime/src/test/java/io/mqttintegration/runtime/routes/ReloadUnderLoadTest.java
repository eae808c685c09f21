package io.mqttintegration.runtime.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading the pipeline's route file while clients ingest loses no accepted message. */
class ReloadUnderLoadTest {

    @TempDir
    Path work;

    @Test
    void everyAcceptedMessageIsStoredAcrossPipelineReloads() throws Exception {
        DataSource db = TestDatabase.newDatabase();
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of()).withIngestKey()) {
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger unavailable = new AtomicInteger();
            List<String> unexpected = new ArrayList<>();
            ExecutorService clients = Executors.newFixedThreadPool(4);
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                running.add(clients.submit(() -> {
                    for (int i = 0; i < 150; i++) {
                        HttpResponse<String> r = service.postJson("/api/v1/ingest",
                                "[{\"topic\":\"r/devices/a/t\",\"payload\":{\"v\":1}},{\"topic\":\"r/devices/b/t\",\"payload\":{\"v\":2}}]");
                        if (r.statusCode() == 202) {
                            accepted.addAndGet(2);
                        } else if (r.statusCode() == 503) {
                            unavailable.incrementAndGet();
                        } else {
                            synchronized (unexpected) {
                                unexpected.add(r.statusCode() + " " + r.body());
                            }
                        }
                    }
                    return null;
                }));
            }
            Path pipeline = service.routesDir.resolve("ingest-pipeline.camel.yaml");
            String original = Files.readString(pipeline);
            for (int reload = 1; reload <= 3; reload++) {
                TimeUnit.MILLISECONDS.sleep(300);
                Files.writeString(pipeline, original + "\n# reload " + reload + "\n");
            }
            for (Future<?> f : running) {
                f.get(120, TimeUnit.SECONDS);
            }
            clients.shutdown();

            System.out.printf("reload under load: %d messages accepted, %d requests answered 503%n", accepted.get(),
                    unavailable.get());
            assertTrue(unexpected.isEmpty(), "only 202 or 503: " + unexpected);
            assertEquals(accepted.get(), Rows.count(db, "SELECT count(*) FROM mqtt_messages"),
                    "every message answered 202 is stored, once");
            assertTrue(Files.readString(pipeline).contains("# reload 3"));
            assertEquals("Started", service.runtime.camelContext().getRouteController().getRouteStatus("ingest-pipeline").name());
            var seda = service.runtime.camelContext().getComponent("seda", org.apache.camel.component.seda.SedaComponent.class);
            assertTrue(seda.getQueues().get(seda.getQueueKey("seda://ingest")).getQueue() instanceof java.util.concurrent.PriorityBlockingQueue,
                    "still the ordered queue (requests ahead of subscription messages) after the reloads");
        }
    }
}
