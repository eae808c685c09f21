package io.mqttintegration.runtime.broker;

import io.mqttintegration.broker.HostedBrokerService;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.EmbeddedDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.broker.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stops while a connected device publishes: the broker still acknowledges each QoS 1
 * message (it is in its journal), the service cannot store them (nor even say whose they are), and
 * once the database is back every one is stored, once.
 */
class HostedBrokerDatabaseOutageTest {

    static final int SENT = 200;

    @TempDir
    Path work;

    @Test
    void messagesAcknowledgedWhileTheDatabaseIsDownAreStoredOnceWhenItIsBack() throws Exception {
        Path data = work.resolve("pg");
        int port = RuntimeHarness.freePort();
        EmbeddedDatabase postgres = EmbeddedDatabase.start(data, port, false);
        DataSource db = postgres.dataSource("postgres");
        BrokerConfig config = new BrokerConfig(true, "127.0.0.1", RuntimeHarness.freePort(), RuntimeHarness.freePort(), null, null,
                work.resolve("broker"), 50, 2, 0);
        try (RuntimeHarness service = RuntimeHarness.start(db, work, Map.of());
                HostedBrokerService hosted = HostedBrokerService.start(config, service.runtime.hostedParts())) {
            RuntimeHarness.Tenant tenant = service.createOrganization("o");
            String integration = Json.strict().readTree(service.send("POST", "/api/v1/integrations", tenant.adminKey(),
                    "{\"name\":\"d\",\"settings\":{\"host\":\"broker.example\"}}").body()).path("id").asText();
            JsonNode credential = Json.strict().readTree(service.send("POST", "/api/v1/integrations/" + integration + "/credentials",
                    tenant.adminKey(), null).body());
            String user = credential.path("username").asText();
            MqttAsyncClient device = new MqttAsyncClient("tcp://127.0.0.1:" + config.port(), user, new MemoryPersistence());
            device.connect(HostedBrokerTest.login(user, credential.path("password").asText())).waitForCompletion(10_000);

            postgres.close();
            int acknowledged = 0;
            for (int i = 0; i < SENT; i++) {
                MqttMessage m = new MqttMessage(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
                m.setQos(1);
                IMqttToken token = device.publish("devices/" + user + "/telemetry", m);
                token.waitForCompletion(10_000);
                if (token.getReasonCodes()[0] == 0) {
                    acknowledged++;
                }
            }
            assertEquals(SENT, acknowledged, "the broker acknowledged every message while the database was down");
            device.disconnect().waitForCompletion(5_000);
            device.close();

            postgres = EmbeddedDatabase.start(data, port, false);
            String distinct = "SELECT count(DISTINCT convert_from(payload, 'UTF8')) FROM mqtt_messages WHERE source = 'hosted' AND seq = 0";
            await().atMost(Duration.ofSeconds(90)).until(() -> Rows.count(db, distinct) == SENT);
            assertEquals(SENT, Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'hosted' AND seq = 0"),
                    "each stored once");
            assertEquals(SENT, Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE integration_id = '" + integration + "'"),
                    "all of them the credential's integration's");
        } finally {
            postgres.close();
        }
    }
}
