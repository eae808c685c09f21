package io.mqttintegration.runtime.broker;

import io.mqttintegration.broker.HostedBrokerService;
import io.mqttintegration.broker.HostedBroker;
import io.mqttintegration.broker.ConnectedDevices;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.broker.BrokerConfig;
import io.mqttintegration.security.PasswordHash;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hosted broker in the test JVM with the real service and a real PostgreSQL: devices connect
 * with Paho v5 using the credentials the API generates. One database, service and broker serve the
 * class: each test makes its own organizations and devices and counts only their rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostedBrokerTest extends HostedBrokerCase {

    @TempDir
    static Path shared;

    @Override
    Path sharedByClass() {
        return shared;
    }

    @AfterAll
    void stopAll() {
        closeAll();
    }

    /** A device credential as the API answered it, with the integration and organization it belongs to. */
    record Device(String organizationId, String integrationId, String credentialId, String username, String password) {
    }

    Device device(String organizationName) throws Exception {
        RuntimeHarness.Tenant tenant = service.createOrganization(organizationName);
        JsonNode integration = json(service.send("POST", "/api/v1/integrations", tenant.adminKey(),
                "{\"name\":\"devices\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}"));
        String integrationId = integration.path("id").asText();
        HttpResponse<String> created = service.send("POST", "/api/v1/integrations/" + integrationId + "/credentials",
                tenant.adminKey(), null);
        assertEquals(201, created.statusCode(), created.body());
        JsonNode credential = json(created);
        return new Device(tenant.organizationId(), integrationId, credential.path("id").asText(),
                credential.path("username").asText(), credential.path("password").asText());
    }

    static MqttConnectionOptions login(String username, String password) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(username);
        o.setPassword(password.getBytes(StandardCharsets.UTF_8));
        o.setCleanStart(true);
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false);
        return o;
    }

    MqttAsyncClient connected(Device d) throws MqttException {
        MqttAsyncClient c = client(d.username());
        c.connect(login(d.username(), d.password())).waitForCompletion(10_000);
        return c;
    }

    static IMqttToken publish(MqttAsyncClient c, String topic, String payload) throws MqttException {
        MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        IMqttToken token = c.publish(topic, m);
        token.waitForCompletion(10_000);
        return token;
    }

    long hostedRows(Device d) {
        return Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'hosted' AND integration_id = '"
                + d.integrationId() + "'");
    }

    @Test
    void deviceWithGeneratedCredentialsPublishesAndItsMessageIsStoredForItsIntegration() throws Exception {
        Device d = device("acme");
        MqttAsyncClient c = connected(d);
        IMqttToken ack = publish(c, "devices/" + d.username() + "/telemetry", "{\"t\":21.5}");
        assertEquals(0, ack.getReasonCodes()[0], "PUBACK success once the message is in the broker's journal");

        await().atMost(Duration.ofSeconds(20)).until(() -> hostedRows(d) == 1);
        String where = " FROM mqtt_messages WHERE integration_id = '" + d.integrationId() + "'";
        assertEquals("devices/" + d.username() + "/telemetry", Rows.text(db, "SELECT topic" + where));
        assertEquals(d.organizationId(), Rows.text(db, "SELECT organization_id" + where));
        assertEquals("{\"t\":21.5}", Rows.text(db, "SELECT convert_from(payload, 'UTF8')" + where));
        assertEquals(1, Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'hosted' AND organization_id = '"
                + d.organizationId() + "'"), "stored once");
    }

    @Test
    void wrongPasswordIsRefusedWithReason134() throws Exception {
        Device d = device("acme");
        MqttAsyncClient c = client("wrong");
        MqttException e = assertThrows(MqttException.class,
                () -> c.connect(login(d.username(), d.password() + "x")).waitForCompletion(10_000));
        assertEquals(134, e.getReasonCode(), "MQTT 5 Bad User Name or Password: " + e);
        MqttAsyncClient unknown = client("unknown");
        MqttException e2 = assertThrows(MqttException.class,
                () -> unknown.connect(login("dev-0000000000000000", d.password())).waitForCompletion(10_000));
        assertEquals(134, e2.getReasonCode(), "an unknown username too: " + e2);
    }

    /**
     * Artemis knows a cluster user of its own and checks its password itself, on every acceptor,
     * then skips every permission check: with Artemis' published default password that login would
     * read every device's messages. The broker sets its own password and the guard refuses the name.
     */
    @Test
    void artemisBuiltInClusterUserCannotLogInWithItsDefaultPasswordNorReadOtherDevicesMessages() throws Exception {
        Device d = device("acme");
        MqttAsyncClient intruder = client("intruder");
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        intruder.setCallback(new Callback(lost -> { }, seen::add));
        MqttConnectionOptions o = login("ACTIVEMQ.CLUSTER.ADMIN.USER", "CHANGE ME!!");
        boolean connected;
        try {
            intruder.connect(o).waitForCompletion(10_000);
            intruder.subscribe(new MqttSubscription[] {new MqttSubscription("#", 1)}).waitForCompletion(10_000);
            connected = true;
        } catch (MqttException refused) {
            connected = false;
        }
        publish(connected(d), "devices/" + d.username() + "/telemetry", "{\"secret\":1}");
        await().atMost(Duration.ofSeconds(20)).until(() -> hostedRows(d) == 1);
        assertEquals(List.of(), seen, "nothing reached the built-in cluster user");
        assertFalse(connected, "refused at CONNECT");
    }

    @Test
    void revokedCredentialLosesItsSessionAndIsRefusedAtItsNextConnect() throws Exception {
        Device d = device("acme");
        MqttAsyncClient c = connected(d);
        List<String> lost = new CopyOnWriteArrayList<>();
        c.setCallback(new Callback(lost::add, m -> { }));
        HttpResponse<String> revoked = service.send("DELETE", "/api/v1/integrations/" + d.integrationId() + "/credentials/"
                + d.credentialId(), adminKeyOf(d), null);
        assertEquals(204, revoked.statusCode(), revoked.body());

        await().atMost(Duration.ofSeconds(10)).until(() -> !c.isConnected());
        MqttAsyncClient again = client("again");
        MqttException e = assertThrows(MqttException.class,
                () -> again.connect(login(d.username(), d.password())).waitForCompletion(10_000));
        assertEquals(134, e.getReasonCode(), "a revoked credential: " + e);
    }

    @Test
    void publishingOutsideItsNamespaceIsRefusedWith135AndNothingIsStored() throws Exception {
        Device a = device("acme");
        Device b = device("globex");
        MqttAsyncClient c = connected(a);
        // b's topic exists already (its address is made by b's first message): then SEND is refused.
        publish(connected(b), "devices/" + b.username() + "/telemetry", "{\"from\":\"b\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> hostedRows(b) == 1);
        for (String topic : List.of("devices/" + b.username() + "/telemetry", "elsewhere", "devices/" + a.username() + "x/t")) {
            IMqttToken token = tryPublish(c, topic);
            assertEquals(135, token.getReasonCodes()[0], "PUBACK Not authorized for " + topic);
        }
        assertTrue(c.isConnected(), "the device stays connected");
        IMqttToken ok = publish(c, "devices/" + a.username() + "/t", "1");
        assertEquals(0, ok.getReasonCodes()[0]);
        await().atMost(Duration.ofSeconds(20)).until(() -> hostedRows(a) == 1);
        assertEquals(2, Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'hosted' AND organization_id IN ('"
                + a.organizationId() + "', '" + b.organizationId() + "')"),
                "only the messages inside their namespaces are stored");
        assertEquals(1, hostedRows(b), "nothing a published reached b's integration");
    }

    /** mosquitto_pub with a protocol version, QoS 1; exit code and output (-d: the packets). */
    DeviceClientResult mosquittoPub(String version, String user, String password, String topic) throws Exception {
        Process p = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(config.port()), "-V", version,
                "-q", "1", "-u", user, "-P", password, "-t", topic, "-m", "{\"v\":1}", "-d").redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "mosquitto_pub finished");
        return new DeviceClientResult(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    record DeviceClientResult(int exitCode, String output) {
    }

    @Test
    void mqtt311DeviceLosesItsConnectionWhenItPublishesOutsideItsNamespace() throws Exception {
        Device a = device("acme");
        Device b = device("globex");
        DeviceClientResult outside = mosquittoPub("mqttv311", a.username(), a.password(), "devices/" + b.username() + "/t");
        assertEquals(7, outside.exitCode(), "MQTT 3.1.1 has no reason code: the connection is closed, not a PUBACK\n" + outside.output());
        assertFalse(outside.output().contains("received PUBACK"), outside.output());
        DeviceClientResult inside = mosquittoPub("mqttv311", a.username(), a.password(), "devices/" + a.username() + "/t");
        assertEquals(0, inside.exitCode(), inside.output());
        assertTrue(inside.output().contains("received PUBACK"), inside.output());
        DeviceClientResult wrong = mosquittoPub("mqttv311", a.username(), "wrong", "devices/" + a.username() + "/t");
        assertEquals(5, wrong.exitCode(), "CONNACK 5 Not authorized (3.1.1's code for a bad login)\n" + wrong.output());
        await().atMost(Duration.ofSeconds(20)).until(() -> hostedRows(a) == 1);
        assertEquals(0, hostedRows(b), "nothing reached b's integration");
    }

    @Test
    void mqtt31DevicesAreTurnedAwayAtConnect() throws Exception {
        Device a = device("acme");
        DeviceClientResult v31 = mosquittoPub("mqttv31", a.username(), a.password(), "devices/" + a.username() + "/t");
        assertEquals(7, v31.exitCode(), "the connection is closed at CONNECT\n" + v31.output());
        assertFalse(v31.output().contains("received CONNACK"), v31.output());
    }

    @Test
    void qos0PublishOutsideItsNamespaceClosesTheConnection() throws Exception {
        Device a = device("acme");
        Device b = device("globex");
        MqttAsyncClient c = connected(a);
        MqttMessage inside = new MqttMessage("{\"q\":0}".getBytes(StandardCharsets.UTF_8));
        inside.setQos(0);
        c.publish("devices/" + a.username() + "/t", inside).waitForCompletion(10_000);
        await().atMost(Duration.ofSeconds(20)).until(() -> hostedRows(a) == 1);
        assertTrue(c.isConnected(), "QoS 0 inside its namespace is stored, the session goes on");

        MqttMessage outside = new MqttMessage("x".getBytes(StandardCharsets.UTF_8));
        outside.setQos(0);
        try {
            c.publish("devices/" + b.username() + "/t", outside).waitForCompletion(10_000);
        } catch (MqttException e) {
            // The broker's DISCONNECT 135 may close the connection before Paho counts the QoS 0 send as done.
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !c.isConnected());
        assertEquals(0, hostedRows(b), "nothing reached b's integration");
    }

    static IMqttToken tryPublish(MqttAsyncClient c, String topic) throws MqttException {
        MqttMessage m = new MqttMessage("x".getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        IMqttToken token = c.publish(topic, m);
        try {
            token.waitForCompletion(10_000);
        } catch (MqttException e) {
            // Paho reports a failure reason code of a PUBACK as an exception; the token keeps the code
        }
        return token;
    }

    @Test
    void twoOrganizationsDevicesNeverSeeEachOthersMessages() throws Exception {
        Device a = device("acme");
        Device b = device("globex");
        List<String> seenByA = new CopyOnWriteArrayList<>();
        MqttAsyncClient ca = connected(a);
        ca.setCallback(new Callback(x -> { }, seenByA::add));
        IMqttToken own = ca.subscribe(new MqttSubscription[] {new MqttSubscription("devices/" + a.username() + "/#", 1)});
        own.waitForCompletion(10_000);
        assertEquals(1, own.getReasonCodes()[0], "granted QoS 1 in its own namespace");
        IMqttToken all = ca.subscribe(new MqttSubscription[] {new MqttSubscription("devices/#", 1),
            new MqttSubscription("devices/" + b.username() + "/#", 1), new MqttSubscription("#", 1)});
        try {
            all.waitForCompletion(10_000);
        } catch (MqttException e) {
            // every filter refused: the codes are on the token
        }
        assertArrayEquals(new int[] {135, 135, 135}, all.getReasonCodes(), "SUBACK Not authorized outside its namespace");

        MqttAsyncClient cb = connected(b);
        publish(cb, "devices/" + b.username() + "/telemetry", "{\"from\":\"b\"}");
        publish(ca, "devices/" + a.username() + "/telemetry", "{\"from\":\"a\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> hostedRows(a) == 1 && hostedRows(b) == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> seenByA.size() == 1);
        assertEquals(List.of("devices/" + a.username() + "/telemetry"), seenByA, "a sees its own message only");
        assertEquals(a.organizationId(), Rows.text(db, "SELECT organization_id FROM mqtt_messages WHERE integration_id = '"
                + a.integrationId() + "'"));
        assertEquals(b.organizationId(), Rows.text(db, "SELECT organization_id FROM mqtt_messages WHERE integration_id = '"
                + b.integrationId() + "'"));
    }

    @Test
    void credentialHashedWithPbkdf2BeforeTheBrokerStillConnectsAndIsRehashedOnce() throws Exception {
        Device d = device("acme");
        // As POST .../credentials stored it before the hosted broker: PBKDF2.
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE mqtt_credentials SET password_hash = ? WHERE id = ?")) {
            ps.setString(1, PasswordHash.hash(d.password().toCharArray(), 1_000));
            ps.setObject(2, UUID.fromString(d.credentialId()));
            assertEquals(1, ps.executeUpdate());
        }
        String hashOf = "SELECT password_hash FROM mqtt_credentials WHERE id = '" + d.credentialId() + "'";
        assertTrue(Rows.text(db, hashOf).startsWith("pbkdf2-sha256$"));

        MqttAsyncClient first = connected(d);
        assertTrue(first.isConnected());
        first.disconnect().waitForCompletion(5_000);
        assertTrue(Rows.text(db, hashOf).startsWith("hmac-sha256$"), "rehashed to the keyed hash at its first check");

        MqttAsyncClient second = client("second");
        second.connect(login(d.username(), d.password())).waitForCompletion(10_000);
        assertTrue(second.isConnected(), "and still opens with the same password");
        MqttAsyncClient wrong = client("wrong");
        assertEquals(134, assertThrows(MqttException.class,
                () -> wrong.connect(login(d.username(), "not-it")).waitForCompletion(10_000)).getReasonCode());
    }

    /** Stops the class's broker and starts it again as it was. */
    @Test
    void messageAcknowledgedToTheDeviceSurvivesAStopBeforeItsCommit() throws Exception {
        Device d = device("acme");
        hosted.close();
        hosted = null;
        // The broker alone, as if the service stopped after the device's PUBACK and before the commit.
        HostedBroker alone = new HostedBroker(config, service.runtime.hostedParts(), new ConnectedDevices(
                service.runtime.hostedParts()::deviceLimits, 2, java.time.Clock.systemUTC(), System::nanoTime));
        alone.start();
        try {
            MqttAsyncClient c = connected(d);
            assertEquals(0, publish(c, "devices/" + d.username() + "/telemetry", "{\"t\":1}").getReasonCodes()[0],
                    "the device was told the message was received");
            c.disconnect().waitForCompletion(5_000);
        } finally {
            alone.close();
        }
        assertEquals(0, hostedRows(d), "nothing was committed");

        hosted = HostedBrokerService.start(config, service.runtime.hostedParts());
        await().atMost(Duration.ofSeconds(20)).until(() -> hostedRows(d) == 1);
        assertEquals(1, hostedRows(d), "stored once, after the restart, from the broker's journal");
    }

    /** Starts the class's broker again with a key store; the plain one is back after the test. */
    @Test
    void withAKeyStoreDevicesConnectOverTlsToo() throws Exception {
        Device d = device("acme");
        hosted.close();
        io.mqttintegration.devdb.TestCertificates certs = io.mqttintegration.devdb.TestCertificates.create(work.resolve("tls"),
                "broker.test");
        Path store = certs.pkcs12(work.resolve("tls/broker.p12"), "store-pw");
        config = new BrokerConfig(true, "127.0.0.1", config.port(), RuntimeHarness.freePort(), store, "store-pw", config.journalDir(),
                500, 2, 1);
        hosted = HostedBrokerService.start(config, service.runtime.hostedParts());

        MqttAsyncClient tls = new MqttAsyncClient("ssl://127.0.0.1:" + config.tlsPort(), "tls-device", new MemoryPersistence());
        clients.add(tls);
        MqttConnectionOptions o = login(d.username(), d.password());
        o.setSocketFactory(certs.clientContext().getSocketFactory());
        tls.connect(o).waitForCompletion(10_000);
        assertEquals(0, publish(tls, "devices/" + d.username() + "/tls", "{\"tls\":true}").getReasonCodes()[0]);
        await().atMost(Duration.ofSeconds(20)).until(() -> hostedRows(d) == 1);

        MqttAsyncClient plain = connected(d);
        assertTrue(plain.isConnected(), "the plain acceptor still runs beside it");
        MqttAsyncClient plainOnTlsPort = new MqttAsyncClient("tcp://127.0.0.1:" + config.tlsPort(), "plain", new MemoryPersistence());
        clients.add(plainOnTlsPort);
        assertThrows(MqttException.class, () -> plainOnTlsPort.connect(login(d.username(), d.password())).waitForCompletion(10_000),
                "no plain MQTT on the TLS port");
    }

    @Test
    void withoutAKeyStoreThereIsNoTlsAcceptor() {
        assertEquals(java.util.Set.of("mqtt", "in-vm"), hosted.broker().server().getRemotingService().getAcceptors().keySet(),
                "only the acceptors the configuration names");
    }

    String adminKeyOf(Device d) throws Exception {
        String key = json(service.send("POST", "/api/v1/organizations/" + d.organizationId() + "/api-keys",
                RuntimeHarness.OPERATOR_KEY, "{\"name\":\"admin2\",\"scopes\":[\"admin\"]}")).path("key").asText();
        return key;
    }

    /** Paho's callback: connection losses and the topics of arriving messages. */
    record Callback(java.util.function.Consumer<String> lost, java.util.function.Consumer<String> arrived) implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            lost.accept(String.valueOf(response.getReturnCode()));
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            arrived.accept(topic);
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
