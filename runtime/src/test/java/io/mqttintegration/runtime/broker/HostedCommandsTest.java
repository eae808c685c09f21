package io.mqttintegration.runtime.broker;

import io.mqttintegration.broker.HostedBrokerService;
import io.mqttintegration.broker.HostedBroker;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;

/**
 * Commands down to hosted devices: {@code POST /api/v1/integrations/{id}/publish} with
 * {@code "hosted": true} publishes through the hosted broker (in the test JVM, with the real service
 * and PostgreSQL) into the namespace of one of the integration's own live devices, which receives it
 * with Paho v5; the command is never stored as if a device had sent it.
 */
class HostedCommandsTest extends HostedBrokerCase {

    /** A device credential with its integration and the admin key of its organization. */
    record Device(String organizationId, String adminKey, String integrationId, String credentialId, String username,
            String password) {
    }

    RuntimeHarness.Tenant tenant(String name) throws Exception {
        return service.createOrganization(name);
    }

    String integration(RuntimeHarness.Tenant tenant) throws Exception {
        return json(service.send("POST", "/api/v1/integrations", tenant.adminKey(),
                "{\"name\":\"devices\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}")).path("id").asText();
    }

    Device device(RuntimeHarness.Tenant tenant, String integrationId) throws Exception {
        HttpResponse<String> created = service.send("POST", "/api/v1/integrations/" + integrationId + "/credentials",
                tenant.adminKey(), null);
        assertEquals(201, created.statusCode(), created.body());
        JsonNode credential = json(created);
        return new Device(tenant.organizationId(), tenant.adminKey(), integrationId, credential.path("id").asText(),
                credential.path("username").asText(), credential.path("password").asText());
    }

    Device device(String organizationName) throws Exception {
        RuntimeHarness.Tenant t = tenant(organizationName);
        return device(t, integration(t));
    }

    HttpResponse<String> command(Device from, String topic, String fields) throws Exception {
        return service.send("POST", "/api/v1/integrations/" + from.integrationId() + "/publish", from.adminKey(),
                "{\"hosted\":true,\"topic\":\"" + topic + "\"" + (fields.isEmpty() ? "" : "," + fields) + "}");
    }

    /** A connected device that takes what arrives into {@code arrived}, subscribed to {@code filter} at QoS 1. */
    MqttAsyncClient subscribed(Device d, String filter, BlockingQueue<Arrived> arrived) throws MqttException {
        return subscribed(config.port(), d.username(), d.password(), filter, arrived, clients);
    }

    /** The same for a device's credential on the hosted broker at {@code port}; the client goes into {@code clients} (closed by the test). */
    static MqttAsyncClient subscribed(int port, String username, String password, String filter, BlockingQueue<Arrived> arrived,
            List<MqttAsyncClient> clients) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + port, username, new MemoryPersistence());
        clients.add(c);
        c.setCallback(new Callback(arrived));
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(username);
        o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        o.setConnectionTimeout(10);
        c.connect(o).waitForCompletion(10_000);
        IMqttToken sub = c.subscribe(new MqttSubscription[] {new MqttSubscription(filter, 1)});
        sub.waitForCompletion(10_000);
        assertEquals(1, sub.getReasonCodes()[0], "SUBACK granted QoS 1 for " + filter);
        return c;
    }

    record Arrived(String topic, MqttMessage message) {
        String text() {
            return new String(message.getPayload(), StandardCharsets.UTF_8);
        }
    }

    long rows() {
        return Rows.count(db, "SELECT count(*) FROM mqtt_messages");
    }

    @Test
    void deviceSubscribedToItsCommandsReceivesAQos1CommandWithItsPropertiesAndTheCommandIsNotStored() throws Exception {
        Device d = device("acme");
        BlockingQueue<Arrived> arrived = new LinkedBlockingQueue<>();
        MqttAsyncClient c = subscribed(d, "devices/" + d.username() + "/commands/#", arrived);

        HttpResponse<String> sent = command(d, "devices/" + d.username() + "/commands/reboot",
                "\"payload\":{\"delay\":5},\"qos\":1,\"userProperties\":{\"origin\":\"api\"}");
        assertEquals(200, sent.statusCode(), sent.body());
        assertEquals("{\"ok\":true}", sent.body());

        Arrived a = arrived.poll(10, TimeUnit.SECONDS);
        assertTrue(a != null, "the device received the command");
        assertEquals("devices/" + d.username() + "/commands/reboot", a.topic());
        assertEquals("{\"delay\":5}", a.text());
        assertEquals(1, a.message().getQos(), "QoS 1 as published (and subscribed)");
        assertFalse(a.message().isRetained());
        assertEquals("application/json", a.message().getProperties().getContentType());
        assertEquals("origin", a.message().getProperties().getUserProperties().get(0).getKey());
        assertEquals("api", a.message().getProperties().getUserProperties().get(0).getValue());

        // The device's own message goes through the same ingest queue after the command: once it is
        // stored, the command has been taken from the queue too, and it was not stored.
        MqttMessage telemetry = new MqttMessage("{\"t\":1}".getBytes(StandardCharsets.UTF_8));
        telemetry.setQos(1);
        c.publish("devices/" + d.username() + "/telemetry", telemetry).waitForCompletion(10_000);
        await().atMost(Duration.ofSeconds(20)).until(() -> rows() >= 1);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                hosted.broker().server().locateQueue(HostedBroker.INGEST_QUEUE).getMessageCount() == 0);
        assertEquals(1, rows(), "only the device's message is stored, never the command");
        assertEquals("devices/" + d.username() + "/telemetry", Rows.text(db, "SELECT topic FROM mqtt_messages"));

        JsonNode activity = json(service.send("GET", "/api/v1/integrations/" + d.integrationId() + "/activity", d.adminKey(), null));
        JsonNode entry = activity.path("items").get(0);
        assertEquals("integration.published", entry.path("action").asText(), activity.toString());
        assertEquals("ok", entry.path("outcome").asText());
        assertTrue(entry.path("detail").toString().contains("hosted"), entry.toString());
    }

    @Test
    void qos0CommandArrivesAndARetainedOneReachesADeviceThatSubscribesLater() throws Exception {
        Device d = device("acme");
        BlockingQueue<Arrived> arrived = new LinkedBlockingQueue<>();
        subscribed(d, "devices/" + d.username() + "/#", arrived);
        assertEquals(200, command(d, "devices/" + d.username() + "/commands/ping", "\"payload\":\"ping\"").statusCode());
        Arrived ping = arrived.poll(10, TimeUnit.SECONDS);
        assertTrue(ping != null, "the QoS 0 command arrived");
        assertEquals("ping", ping.text());
        assertEquals(0, ping.message().getQos());
        assertEquals("text/plain", ping.message().getProperties().getContentType());

        HttpResponse<String> config1 = command(d, "devices/" + d.username() + "/config", "\"payload\":{\"rate\":10},\"qos\":1,\"retain\":true");
        assertEquals(200, config1.statusCode(), config1.body());
        HttpResponse<String> config2 = command(d, "devices/" + d.username() + "/config", "\"payload\":{\"rate\":20},\"qos\":1,\"retain\":true");
        assertEquals(200, config2.statusCode(), config2.body());
        assertEquals("{\"rate\":10}", arrived.poll(10, TimeUnit.SECONDS).text(), "live subscribers get each message");
        assertEquals("{\"rate\":20}", arrived.poll(10, TimeUnit.SECONDS).text());

        // A second session of the device (another client id), subscribing after: the last retained only.
        BlockingQueue<Arrived> later = new LinkedBlockingQueue<>();
        MqttAsyncClient c2 = new MqttAsyncClient("tcp://127.0.0.1:" + config.port(), d.username() + "-2", new MemoryPersistence());
        clients.add(c2);
        c2.setCallback(new Callback(later));
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(d.username());
        o.setPassword(d.password().getBytes(StandardCharsets.UTF_8));
        c2.connect(o).waitForCompletion(10_000);
        c2.subscribe(new MqttSubscription[] {new MqttSubscription("devices/" + d.username() + "/config", 1)}).waitForCompletion(10_000);
        Arrived retained = later.poll(10, TimeUnit.SECONDS);
        assertTrue(retained != null, "the retained configuration reached the later subscriber");
        assertEquals("{\"rate\":20}", retained.text());
        assertTrue(retained.message().isRetained(), "flagged retained");
        assertEquals(null, later.poll(1, TimeUnit.SECONDS), "one retained message per topic");

        // An empty retained payload clears it.
        assertEquals(200, command(d, "devices/" + d.username() + "/config", "\"payload\":\"\",\"retain\":true").statusCode());
        BlockingQueue<Arrived> cleared = new LinkedBlockingQueue<>();
        MqttAsyncClient c3 = new MqttAsyncClient("tcp://127.0.0.1:" + config.port(), d.username() + "-3", new MemoryPersistence());
        clients.add(c3);
        c3.setCallback(new Callback(cleared));
        c3.connect(o).waitForCompletion(10_000);
        c3.subscribe(new MqttSubscription[] {new MqttSubscription("devices/" + d.username() + "/config", 1)}).waitForCompletion(10_000);
        assertEquals(null, cleared.poll(2, TimeUnit.SECONDS), "nothing retained after an empty retained payload");
        assertEquals(0, rows(), "no command was stored");
    }

    @Test
    void topicOutsideTheNamespacesOfTheIntegrationsOwnLiveDevicesIs403() throws Exception {
        RuntimeHarness.Tenant acme = tenant("acme");
        String acmeIntegration = integration(acme);
        Device a = device(acme, acmeIntegration);
        Device sibling = device(acme, integration(acme)); // same organization, another integration
        Device revoked = device(acme, acmeIntegration);
        Device other = device("globex");
        assertEquals(204, service.send("DELETE", "/api/v1/integrations/" + acmeIntegration + "/credentials/" + revoked.credentialId(),
                acme.adminKey(), null).statusCode());
        BlockingQueue<Arrived> seenByOther = new LinkedBlockingQueue<>();
        subscribed(other, "devices/" + other.username() + "/#", seenByOther);
        BlockingQueue<Arrived> seenBySibling = new LinkedBlockingQueue<>();
        subscribed(sibling, "devices/" + sibling.username() + "/#", seenBySibling);

        for (String topic : List.of("devices/" + other.username() + "/commands/x", "devices/" + sibling.username() + "/commands/x",
                "devices/" + revoked.username() + "/commands/x", "devices/dev-0000000000000000/x", "elsewhere/commands",
                "devices/" + a.username() + "x/commands", "devices", "devices/", "commands/devices/" + a.username())) {
            HttpResponse<String> r = command(a, topic, "\"payload\":1,\"qos\":1");
            assertEquals(403, r.statusCode(), topic + ": " + r.body());
            JsonNode error = json(r);
            assertEquals("topic_not_allowed", error.path("error").asText(), r.body());
            assertEquals("topic", error.path("field").asText());
            assertFalse(r.body().contains("Exception"), r.body());
        }
        assertEquals(200, command(a, "devices/" + a.username(), "\"payload\":1").statusCode(), "the namespace's own topic");
        assertEquals(null, seenByOther.poll(1, TimeUnit.SECONDS), "nothing reached the other organization's device");
        assertEquals(null, seenBySibling.poll(0, TimeUnit.SECONDS), "nor the other integration's");
        // The organization's key cannot name another organization's integration at all.
        HttpResponse<String> foreign = service.send("POST", "/api/v1/integrations/" + other.integrationId() + "/publish",
                acme.adminKey(), "{\"hosted\":true,\"topic\":\"devices/" + other.username() + "/c\",\"payload\":1}");
        assertEquals(404, foreign.statusCode(), foreign.body());
    }

    @Test
    void aDeviceCannotPassItsMessageOffAsTheServicesOwn() throws Exception {
        Device d = device("acme");
        MqttAsyncClient c = subscribed(d, "devices/" + d.username() + "/#", new LinkedBlockingQueue<>());
        // The service's messages are known by the user the broker validated: a device's properties cannot name it.
        MqttMessage m = new MqttMessage("{\"t\":2}".getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        MqttProperties p = new MqttProperties();
        p.setUserProperties(List.of(new org.eclipse.paho.mqttv5.common.packet.UserProperty("_AMQ_VALIDATED_USER",
                HostedBroker.INTERNAL_USER)));
        m.setProperties(p);
        c.publish("devices/" + d.username() + "/telemetry", m).waitForCompletion(10_000);
        await().atMost(Duration.ofSeconds(20)).until(() -> rows() == 1);
        assertEquals("{\"t\":2}", Rows.text(db, "SELECT convert_from(payload, 'UTF8') FROM mqtt_messages"));
    }

    @Test
    void whileTheBrokerIsNotRunningTheAnswerIs503AndAfterItsRestartCommandsFlowAgain() throws Exception {
        Device d = device("acme");
        hosted.close();
        hosted = null;
        HttpResponse<String> r = command(d, "devices/" + d.username() + "/commands/x", "\"payload\":1");
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("hosted_broker_unavailable", json(r).path("error").asText(), r.body());
        HttpResponse<String> wrongTopic = command(d, "elsewhere", "\"payload\":1");
        assertEquals(403, wrongTopic.statusCode(), "the topic is checked first: " + wrongTopic.body());

        hosted = HostedBrokerService.start(config, service.runtime.hostedParts());
        BlockingQueue<Arrived> arrived = new LinkedBlockingQueue<>();
        subscribed(d, "devices/" + d.username() + "/commands/#", arrived);
        assertEquals(200, command(d, "devices/" + d.username() + "/commands/x", "\"payload\":1,\"qos\":1").statusCode());
        assertEquals("1", arrived.poll(10, TimeUnit.SECONDS).text());
    }

    /** Paho's callback: each arriving message into the queue. */
    record Callback(BlockingQueue<Arrived> arrived) implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            arrived.add(new Arrived(topic, message));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
