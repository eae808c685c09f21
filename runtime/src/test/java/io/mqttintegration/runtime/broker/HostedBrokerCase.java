package io.mqttintegration.runtime.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.broker.HostedBrokerService;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.broker.BrokerConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the hosted-broker tests start for each test: a fresh database, the service on it (with the
 * settings of {@link #settings()}), and the hosted broker on free ports with the shipped ingest
 * defaults (rounds of 500, two consumers, revocation checked every second). The Paho clients a test
 * adds to {@link #clients} are disconnected after it, then the broker and the service stop.
 *
 * <p>A class whose tests keep to their own organizations may share all of it instead: it declares
 * {@code @TestInstance(PER_CLASS)}, answers {@link #sharedByClass()} with its own folder, and calls
 * {@link #closeAll()} from its {@code @AfterAll}. After each of its tests the broker runs again with
 * the first configuration if the test stopped it or started it with another.
 */
abstract class HostedBrokerCase {

    @TempDir
    Path work;
    DataSource db;
    RuntimeHarness service;
    HostedBrokerService hosted;
    BrokerConfig config;
    /** The broker configuration {@link #start()} made (a test may replace {@link #config}). */
    BrokerConfig first;
    final List<MqttAsyncClient> clients = new CopyOnWriteArrayList<>();

    /** The JSON of an API answer. */
    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    /** A Paho v5 client of the hosted broker, disconnected and closed after the test. */
    MqttAsyncClient client(String clientId) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + config.port(), clientId, new MemoryPersistence());
        clients.add(c);
        return c;
    }

    /** Service settings of this test class (none by default). */
    Map<String, String> settings() {
        return Map.of();
    }

    /** The folder of the database, service and broker the whole class shares; null (the default): each test has its own. */
    Path sharedByClass() {
        return null;
    }

    @BeforeEach
    void start() throws Exception {
        if (service != null) {
            return; // the class's, started for an earlier test
        }
        Path home = sharedByClass() == null ? work : sharedByClass();
        db = TestDatabase.newDatabase();
        service = RuntimeHarness.start(db, home, settings());
        config = new BrokerConfig(true, "127.0.0.1", RuntimeHarness.freePort(), RuntimeHarness.freePort(), null, null,
                home.resolve("broker"), 500, 2, 1);
        first = config;
        hosted = HostedBrokerService.start(config, service.runtime.hostedParts());
    }

    @AfterEach
    void stop() throws Exception {
        clients.parallelStream().forEach(c -> {
            try {
                if (c.isConnected()) {
                    c.disconnect().waitForCompletion(5_000);
                }
                c.close(true);
            } catch (MqttException ignored) {
                // already gone
            }
        });
        clients.clear();
        if (sharedByClass() == null) {
            closeAll();
        } else if (hosted == null || config != first) {
            if (hosted != null) {
                hosted.close();
            }
            config = first;
            hosted = HostedBrokerService.start(config, service.runtime.hostedParts());
        }
    }

    /** Stops the broker and the service. */
    void closeAll() {
        if (hosted != null) {
            hosted.close();
        }
        if (service != null) {
            service.close();
        }
    }
}
