package io.mqttintegration.runtime.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.broker.BrokerConfig;
import io.mqttintegration.broker.HostedBroker;
import io.mqttintegration.broker.HostedBrokerService;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.runtime.broker.HostedCommandsTest.Arrived;
import io.mqttintegration.runtime.broker.HostedCommandsTest.Callback;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.activemq.artemis.api.core.ActiveMQClusterSecurityException;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQSecurityException;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.core.server.ActiveMQServer;
import org.apache.activemq.artemis.core.server.cluster.RemoteQueueBinding;
import org.apache.activemq.artemis.core.server.cluster.impl.ClusterConnectionImpl;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hosted broker across nodes: two product runtimes in this JVM (node ids {@code node-a},
 * {@code node-b}) on one database, each with its own hosted broker on free ports, the two clustered
 * to each other through their cluster acceptors (Artemis' cluster connection, static connectors),
 * with real Paho v5 devices. Commands published through one node reach a device on the other; a
 * device that moves keeps receiving; each device message is stored once; the cluster acceptor is
 * the cluster user's only.
 *
 * <p>The database and the two nodes are the whole class's (they take most of its time to start): each
 * test makes its own organization, integration and devices (unique names, so no test sees another's
 * data, and what a test counts in {@code mqtt_messages} is its own devices' topics) and closes the
 * clients it opened. A test that stops or reconfigures a node's broker leaves it to
 * {@link #restoreNodes()}, which starts the node's plain broker again (same ports, same journal).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostedBrokerClusterTest {

    static final String CLUSTER_PASSWORD = "cluster-secret-0123456789";
    /** Every node of a deployment shares these (the API keys' and device passwords' hashes, sealed secrets). */
    static final Map<String, String> SHARED = Map.of(
            "security.masterKey", Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'm'),
            "security.keyHashSecret", Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'k'));

    @TempDir
    static Path work;
    DataSource db;
    Node a;
    Node b;
    /** Each node's broker as the class shares it (no TLS), by node name. */
    final Map<String, BrokerConfig> plain = new java.util.HashMap<>();
    final List<MqttAsyncClient> clients = new CopyOnWriteArrayList<>();

    /** One node: the service and its hosted broker. */
    record Node(String name, RuntimeHarness service, HostedBrokerService hosted, BrokerConfig config) {
        ActiveMQServer server() {
            return hosted.broker().server();
        }

        int mqttPort() {
            return config.port();
        }
    }

    record Device(String organizationId, String adminKey, String integrationId, String username, String password) {
    }

    @BeforeAll
    void start() throws Exception {
        db = TestDatabase.newDatabase();
        int clusterA = RuntimeHarness.freePort();
        int clusterB = RuntimeHarness.freePort();
        a = node("a", clusterA, clusterB);
        b = node("b", clusterB, clusterA);
    }

    Node node(String name, int clusterPort, int peerPort) throws Exception {
        Path dir = work.resolve(name);
        Map<String, String> settings = new java.util.HashMap<>(SHARED);
        settings.put("mqtt.nodeId", "node-" + name);
        RuntimeHarness service = RuntimeHarness.start(db, dir, settings);
        BrokerConfig config = new BrokerConfig(true, "127.0.0.1", RuntimeHarness.freePort(), RuntimeHarness.freePort(), null, null,
                dir.resolve("broker"), 500, 2, 1).withCluster(new BrokerConfig.Cluster(
                        List.of(new BrokerConfig.Peer("127.0.0.1", peerPort)), "127.0.0.1", clusterPort, "mqi.cluster", CLUSTER_PASSWORD));
        HostedBrokerService hosted = HostedBrokerService.start(config, service.runtime.hostedParts());
        plain.put(name, config);
        return new Node(name, service, hosted, config);
    }

    /** The clients the test opened closed, then the nodes as the class shares them ({@link #restoreNodes()}). */
    @AfterEach
    void cleanUp() throws Exception {
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
        restoreNodes();
    }

    /**
     * After a test that stopped a node's broker or started it with another configuration: the node's
     * plain broker again, on the same ports and journal, and the cluster link both ways before the
     * next test.
     */
    void restoreNodes() throws Exception {
        closeTogether(java.util.stream.Stream.of(a, b).filter(n -> !running(n)).toArray(Node[]::new));
        a = restored(a);
        b = restored(b);
        await().atMost(Duration.ofSeconds(30)).until(() -> linked(a, b) && linked(b, a));
    }

    /** Whether the node's broker is the class's plain one, started. */
    boolean running(Node n) {
        return n.config() == plain.get(n.name()) && n.server() != null && n.server().isStarted();
    }

    /** Node {@code n} with the class's plain broker: itself when it runs it, else a new one ({@link #closeTogether} closed the old). */
    Node restored(Node n) throws Exception {
        if (running(n)) {
            return n;
        }
        BrokerConfig shared = plain.get(n.name());
        return new Node(n.name(), n.service(), HostedBrokerService.start(shared, n.service().runtime.hostedParts()), shared);
    }

    /** Whether {@code from}'s cluster bridge to {@code to} is connected. */
    static boolean linked(Node from, Node to) {
        // The hosted broker has one cluster connection.
        return from.server().getClusterManager().getClusterConnections().stream()
                .map(c -> ((ClusterConnectionImpl) c).getRecords().get(to.server().getNodeID().toString()))
                .anyMatch(r -> r != null && r.getBridge() != null && r.getBridge().isConnected());
    }

    /**
     * Closes the nodes' brokers at once: a broker that stops while its peer runs waits about ten
     * seconds in Artemis' stop (measured here); two that stop together do not wait for each other in turn.
     */
    static void closeTogether(Node... nodes) {
        java.util.Arrays.stream(nodes).parallel().forEach(n -> n.hosted().close());
    }

    @AfterAll
    void stop() {
        closeTogether(java.util.stream.Stream.of(a, b).filter(java.util.Objects::nonNull).toArray(Node[]::new));
        for (Node n : new Node[] {a, b}) {
            if (n != null) {
                n.service().close();
            }
        }
    }

    @Test
    void aCommandPublishedThroughNodeBReachesTheDeviceConnectedToNodeA() throws Exception {
        Device d = device();
        BlockingQueue<Arrived> arrived = new LinkedBlockingQueue<>();
        connect(a, d, d.username(), true, arrived, "devices/" + d.username() + "/commands/#");
        awaitSubscriberSeenBy(b, d, 1);

        HttpResponse<String> sent = command(b, d, "devices/" + d.username() + "/commands/reboot", "\"payload\":{\"delay\":5},\"qos\":1");
        assertEquals(200, sent.statusCode(), sent.body());
        Arrived got = arrived.poll(10, TimeUnit.SECONDS);
        assertNotNull(got, "the device on node A received the command sent through node B");
        assertEquals("devices/" + d.username() + "/commands/reboot", got.topic());
        assertEquals("{\"delay\":5}", got.text());
        assertEquals(1, got.message().getQos());

        // And the other way: through node A's API to the device subscribed on A, one copy only.
        assertEquals(200, command(a, d, "devices/" + d.username() + "/commands/x", "\"payload\":2,\"qos\":1").statusCode());
        assertEquals("2", arrived.poll(10, TimeUnit.SECONDS).text());
        awaitIngestQueuesEmpty();
        assertNull(arrived.poll(1, TimeUnit.SECONDS), "each command arrived once");
        assertEquals(0, rows(d), "commands are never stored, on either node");
    }

    @Test
    void aDeviceWithAPersistentSessionThatMovesToNodeBGetsWhatWasQueuedForItAfterSubscribingAgain() throws Exception {
        Device d = device();
        String filter = "devices/" + d.username() + "/commands/#";
        BlockingQueue<Arrived> onA = new LinkedBlockingQueue<>();
        MqttAsyncClient first = connect(a, d, d.username(), false, onA, filter);
        awaitSubscriberSeenBy(b, d, 1);
        first.disconnect().waitForCompletion(10_000);
        awaitSubscriberSeenBy(b, d, 0);

        // While it moves: queued on node A, in its session's queue (kept: session expiry one hour).
        assertEquals(200, command(b, d, "devices/" + d.username() + "/commands/1", "\"payload\":1,\"qos\":1").statusCode());
        assertEquals(200, command(a, d, "devices/" + d.username() + "/commands/2", "\"payload\":2,\"qos\":1").statusCode());
        assertEquals(200, command(b, d, "devices/" + d.username() + "/commands/3", "\"payload\":3,\"qos\":1").statusCode());
        await().atMost(Duration.ofSeconds(10)).until(() -> queuedFor(a, d) == 3);

        BlockingQueue<Arrived> onB = new LinkedBlockingQueue<>();
        MqttAsyncClient moved = client(b, d.username(), onB);
        IMqttToken connected = moved.connect(options(d, false));
        connected.waitForCompletion(10_000);
        // Measured: sessions are per node; node B has never seen this one, so the device must subscribe again.
        assertFalse(connected.getSessionPresent(), "node B does not know the session the device had on node A");
        subscribe(moved, filter);

        Set<String> got = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            Arrived m = onB.poll(15, TimeUnit.SECONDS);
            assertNotNull(m, "what was queued on node A reached the device on node B (got " + got + ")");
            got.add(m.text());
        }
        assertEquals(Set.of("1", "2", "3"), got);
        assertEquals(0, queuedFor(a, d), "nothing left on node A");

        assertEquals(200, command(a, d, "devices/" + d.username() + "/commands/4", "\"payload\":4,\"qos\":1").statusCode());
        assertEquals("4", onB.poll(10, TimeUnit.SECONDS).text(), "a new command through node A follows the device to node B");
        assertNull(onA.poll(0, TimeUnit.SECONDS), "nothing reached the old connection");
        assertNull(onB.poll(1, TimeUnit.SECONDS), "each once");
    }

    /** Stops node A's broker and starts it again as it was: the shared node is whole at the end. */
    @Test
    void whatWaitedForADeviceOnAStoppedNodeReachesItOnTheOtherNodeOnceTheStoppedNodeIsBack() throws Exception {
        Device d = device();
        String filter = "devices/" + d.username() + "/commands/#";
        MqttAsyncClient first = connect(a, d, d.username(), false, new LinkedBlockingQueue<>(), filter);
        awaitSubscriberSeenBy(b, d, 1);
        first.disconnect().waitForCompletion(10_000);
        awaitSubscriberSeenBy(b, d, 0);
        assertEquals(200, command(a, d, "devices/" + d.username() + "/commands/1", "\"payload\":1,\"qos\":1").statusCode());
        await().atMost(Duration.ofSeconds(10)).until(() -> queuedFor(a, d) == 1);

        a.hosted().close(); // node A's broker stops with the command in its journal
        BlockingQueue<Arrived> onB = new LinkedBlockingQueue<>();
        connect(b, d, d.username(), false, onB, filter);
        assertEquals(200, command(b, d, "devices/" + d.username() + "/commands/2", "\"payload\":2,\"qos\":1").statusCode());
        assertEquals("2", onB.poll(10, TimeUnit.SECONDS).text(), "node B serves the device meanwhile");
        assertNull(onB.poll(1, TimeUnit.SECONDS), "what waits on node A stays there while it is down");

        a = new Node(a.name(), a.service(), HostedBrokerService.start(a.config(), a.service().runtime.hostedParts()), a.config());
        Arrived waited = onB.poll(30, TimeUnit.SECONDS);
        assertNotNull(waited, "node A, back, handed what waited for the device to node B");
        assertEquals("1", waited.text());
        assertEquals(0, queuedFor(a, d));
    }

    @Test
    void aDeviceWithACleanStartThatMovesToNodeBReceivesOnceSubscribedThereAndNothingFromWhileItHadNoSession() throws Exception {
        Device d = device();
        String filter = "devices/" + d.username() + "/commands/#";
        BlockingQueue<Arrived> onA = new LinkedBlockingQueue<>();
        MqttAsyncClient first = connect(a, d, d.username(), true, onA, filter);
        awaitSubscriberSeenBy(b, d, 1);
        assertEquals(200, command(b, d, "devices/" + d.username() + "/commands/before", "\"payload\":\"before\",\"qos\":1").statusCode());
        assertEquals("before", onA.poll(10, TimeUnit.SECONDS).text());
        first.disconnect().waitForCompletion(10_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> subscribersSeenBy(b, d) == -1);

        // No session anywhere: MQTT's clean start keeps nothing for it.
        assertEquals(200, command(a, d, "devices/" + d.username() + "/commands/away", "\"payload\":\"away\",\"qos\":1").statusCode());

        BlockingQueue<Arrived> onB = new LinkedBlockingQueue<>();
        connect(b, d, d.username(), true, onB, filter);
        awaitSubscriberSeenBy(a, d, 1);
        assertEquals(200, command(a, d, "devices/" + d.username() + "/commands/after", "\"payload\":\"after\",\"qos\":1").statusCode());
        Arrived m = onB.poll(10, TimeUnit.SECONDS);
        assertNotNull(m, "a command through node A reached the device now on node B");
        assertEquals("after", m.text(), "what was sent while the device had no session is gone (clean start)");
        assertNull(onB.poll(1, TimeUnit.SECONDS));
    }

    @Test
    void eachDeviceMessageIsStoredOnceByTheNodeTheDevicePublishedToEvenWhenItIsForwardedToTheOtherNode() throws Exception {
        Device d1 = device();
        Device d2 = device();
        // A second session of each device on the other node, subscribed to the device's namespace:
        // the cluster forwards every message to it, and that copy must not be ingested there.
        BlockingQueue<Arrived> watch1 = new LinkedBlockingQueue<>();
        connect(b, d1, d1.username() + "-watch", true, watch1, "devices/" + d1.username() + "/#");
        BlockingQueue<Arrived> watch2 = new LinkedBlockingQueue<>();
        connect(a, d2, d2.username() + "-watch", true, watch2, "devices/" + d2.username() + "/#");
        awaitSubscriberSeenBy(a, d1, 1);
        awaitSubscriberSeenBy(b, d2, 1);

        MqttAsyncClient p1 = connect(a, d1, d1.username(), true, new LinkedBlockingQueue<>(), null);
        MqttAsyncClient p2 = connect(b, d2, d2.username(), true, new LinkedBlockingQueue<>(), null);
        int n = 200;
        List<IMqttToken> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(p1.publish("devices/" + d1.username() + "/telemetry", qos1("{\"i\":" + i + "}")));
            sent.add(p2.publish("devices/" + d2.username() + "/telemetry", qos1("{\"i\":" + i + "}")));
            if (sent.size() >= 40) {
                for (IMqttToken t : sent) {
                    t.waitForCompletion(10_000);
                }
                sent.clear();
            }
        }
        for (IMqttToken t : sent) {
            t.waitForCompletion(10_000);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> watch1.size() == n && watch2.size() == n);
        await().atMost(Duration.ofSeconds(30)).until(() -> rows(d1, d2) >= 2L * n);
        awaitIngestQueuesEmpty();

        assertEquals(2L * n, rows(d1, d2), "each message stored once across the two nodes");
        assertEquals(2L * n, Rows.count(db, "SELECT count(DISTINCT client_message_id) FROM mqtt_messages WHERE " + ofDevices(d1, d2)));
        String nodeA = "hosted:" + a.server().getNodeID() + ":%";
        String nodeB = "hosted:" + b.server().getNodeID() + ":%";
        assertNotEquals(nodeA, nodeB);
        assertEquals(n, Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE topic = 'devices/" + d1.username()
                + "/telemetry' AND client_message_id LIKE '" + nodeA + "'"), "node A stored what was published to it, all of it");
        assertEquals(n, Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE topic = 'devices/" + d2.username()
                + "/telemetry' AND client_message_id LIKE '" + nodeB + "'"), "node B stored what was published to it, all of it");
        for (Node node : new Node[] {a, b}) {
            assertEquals(0, node.server().getPostOffice().getAllBindings()
                    .filter(binding -> binding instanceof RemoteQueueBinding && binding.getAddress().toString().equals("devices.#"))
                    .count(), "node " + node.name() + " does not know the other node's ingest queue");
        }
    }

    @Test
    void theClusterAcceptorTakesOnlyTheClusterUserOverCoreAndNeverMqtt() throws Exception {
        Device d = device();
        int clusterPort = a.config().cluster().port();
        ActiveMQException refused = assertThrows(ActiveMQException.class, () -> coreSession(clusterPort, d.username(), d.password()),
                "a device's valid credentials are refused on the cluster acceptor");
        assertTrue(refused instanceof ActiveMQSecurityException, refused.toString());
        assertThrows(ActiveMQClusterSecurityException.class, () -> coreSession(clusterPort, "mqi.cluster", "wrong-password"));
        assertThrows(ActiveMQSecurityException.class, () -> coreSession(clusterPort, HostedBroker.INTERNAL_USER, "guess"));
        // The cluster user with its password is what the peers use: accepted.
        coreSession(clusterPort, "mqi.cluster", CLUSTER_PASSWORD);

        MqttAsyncClient overCluster = new MqttAsyncClient("tcp://127.0.0.1:" + clusterPort, d.username(), new MemoryPersistence());
        clients.add(overCluster);
        MqttConnectionOptions o = options(d, true);
        o.setConnectionTimeout(5);
        assertThrows(MqttException.class, () -> overCluster.connect(o).waitForCompletion(10_000),
                "the cluster acceptor does not speak MQTT");
        assertTrue(!overCluster.isConnected());
    }

    @Test
    void theClusterUsersCannotLogInOverMqtt() throws Exception {
        for (String[] login : List.of(new String[] {"mqi.cluster", CLUSTER_PASSWORD},
                new String[] {"ACTIVEMQ.CLUSTER.ADMIN.USER", "CHANGE ME!!"})) {
            MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + a.mqttPort(), "intruder", new MemoryPersistence());
            clients.add(c);
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setUserName(login[0]);
            o.setPassword(login[1].getBytes(StandardCharsets.UTF_8));
            o.setConnectionTimeout(5);
            assertThrows(MqttException.class, () -> c.connect(o).waitForCompletion(10_000), login[0] + " over MQTT");
            assertFalse(c.isConnected(), login[0]);
        }
    }

    @Test
    void aRetainedCommandStaysOnTheNodeItWasPublishedThrough() throws Exception {
        Device d = device();
        String topic = "devices/" + d.username() + "/config";
        assertEquals(200, command(b, d, topic, "\"payload\":{\"rate\":10},\"qos\":1,\"retain\":true").statusCode());

        BlockingQueue<Arrived> onA = new LinkedBlockingQueue<>();
        connect(a, d, d.username() + "-a", true, onA, topic);
        BlockingQueue<Arrived> onB = new LinkedBlockingQueue<>();
        connect(b, d, d.username() + "-b", true, onB, topic);
        Arrived retained = onB.poll(10, TimeUnit.SECONDS);
        assertNotNull(retained, "a subscriber on node B gets the retained message");
        assertTrue(retained.message().isRetained());
        // Measured: Artemis keeps retained messages per node (not clustered here).
        assertNull(onA.poll(2, TimeUnit.SECONDS), "a subscriber on node A does not");
    }

    /**
     * Starts both nodes' brokers again with TLS on their link (same ports and journals);
     * {@link #restoreNodes()} puts the shared plain brokers back afterwards.
     */
    @Test
    void withATrustStoreTheLinkIsTlsBothWaysAndNoClientWithoutANodeCertificateReachesTheLogin() throws Exception {
        io.mqttintegration.devdb.TestCertificates certs = io.mqttintegration.devdb.TestCertificates.create(work.resolve("tls"), "node.test");
        Path keyStore = certs.pkcs12(work.resolve("tls/node.p12"), "store-pw");
        Path trustStore = work.resolve("tls/trust.p12");
        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = java.nio.file.Files.newInputStream(certs.caCert())) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        try (var out = java.nio.file.Files.newOutputStream(trustStore)) {
            trust.store(out, "trust-pw".toCharArray());
        }
        closeTogether(a, b);
        a = overTls(a, keyStore, trustStore);
        b = overTls(b, keyStore, trustStore);

        Device d = device();
        BlockingQueue<Arrived> arrived = new LinkedBlockingQueue<>();
        connect(a, d, d.username(), true, arrived, "devices/" + d.username() + "/commands/#");
        awaitSubscriberSeenBy(b, d, 1);
        assertEquals(200, command(b, d, "devices/" + d.username() + "/commands/tls", "\"payload\":\"tls\",\"qos\":1").statusCode());
        Arrived got = arrived.poll(10, TimeUnit.SECONDS);
        assertNotNull(got, "the command went from node B to node A over the TLS link");
        assertEquals("tls", got.text());

        String at = "tcp://127.0.0.1:" + a.config().cluster().port();
        String trusting = "?sslEnabled=true&trustStorePath=" + trustStore + "&trustStorePassword=trust-pw";
        assertThrows(ActiveMQException.class, () -> coreSession(at, "mqi.cluster", CLUSTER_PASSWORD), "no plain client");
        assertThrows(ActiveMQException.class, () -> coreSession(at + trusting, "mqi.cluster", CLUSTER_PASSWORD),
                "no TLS client without a certificate the trust store vouches for, even with the cluster password");
        coreSession(at + trusting + "&keyStorePath=" + keyStore + "&keyStorePassword=store-pw", "mqi.cluster", CLUSTER_PASSWORD);
    }

    /** The node's broker again, on the same ports and journal, with TLS on its cluster link. */
    Node overTls(Node n, Path keyStore, Path trustStore) throws Exception {
        BrokerConfig c = n.config();
        BrokerConfig.Cluster cl = c.cluster();
        BrokerConfig tls = new BrokerConfig(true, c.host(), c.port(), RuntimeHarness.freePort(), keyStore, "store-pw", c.journalDir(),
                c.ingestBatch(), c.ingestConsumers(), c.revocationCheckSeconds(),
                new BrokerConfig.Cluster(cl.peers(), cl.host(), cl.port(), cl.user(), cl.password(), trustStore, "trust-pw"));
        return new Node(n.name(), n.service(), HostedBrokerService.start(tls, n.service().runtime.hostedParts()), tls);
    }

    // --- helpers ---

    Device device() throws Exception {
        RuntimeHarness service = a.service();
        RuntimeHarness.Tenant t = service.createOrganization("acme-" + System.nanoTime());
        String integration = json(service.send("POST", "/api/v1/integrations", t.adminKey(),
                "{\"name\":\"devices\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}")).path("id").asText();
        HttpResponse<String> created = service.send("POST", "/api/v1/integrations/" + integration + "/credentials", t.adminKey(), null);
        assertEquals(201, created.statusCode(), created.body());
        JsonNode credential = json(created);
        return new Device(t.organizationId(), t.adminKey(), integration, credential.path("username").asText(),
                credential.path("password").asText());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.strict().readTree(r.body());
    }

    HttpResponse<String> command(Node through, Device d, String topic, String fields) throws Exception {
        return through.service().send("POST", "/api/v1/integrations/" + d.integrationId() + "/publish", d.adminKey(),
                "{\"hosted\":true,\"topic\":\"" + topic + "\"," + fields + "}");
    }

    MqttConnectionOptions options(Device d, boolean cleanStart) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(d.username());
        o.setPassword(d.password().getBytes(StandardCharsets.UTF_8));
        o.setConnectionTimeout(10);
        o.setCleanStart(cleanStart);
        if (!cleanStart) {
            o.setSessionExpiryInterval(3600L);
        }
        return o;
    }

    MqttAsyncClient client(Node on, String clientId, BlockingQueue<Arrived> arrived) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + on.mqttPort(), clientId, new MemoryPersistence());
        clients.add(c);
        c.setCallback(new Callback(arrived));
        return c;
    }

    /** A device session on {@code on}, subscribed to {@code filter} at QoS 1 (null: none). */
    MqttAsyncClient connect(Node on, Device d, String clientId, boolean cleanStart, BlockingQueue<Arrived> arrived, String filter)
            throws MqttException {
        MqttAsyncClient c = client(on, clientId, arrived);
        c.connect(options(d, cleanStart)).waitForCompletion(10_000);
        if (filter != null) {
            subscribe(c, filter);
        }
        return c;
    }

    static void subscribe(MqttAsyncClient c, String filter) throws MqttException {
        IMqttToken sub = c.subscribe(new MqttSubscription[] {new MqttSubscription(filter, 1)});
        sub.waitForCompletion(10_000);
        assertEquals(1, sub.getReasonCodes()[0], "SUBACK granted QoS 1 for " + filter);
    }

    static MqttMessage qos1(String text) {
        MqttMessage m = new MqttMessage(text.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        return m;
    }

    /**
     * Consumers on the other node's queues of the device's namespace as {@code on} knows them (the
     * cluster's view, updated by notifications): -1 when it knows no such queue.
     */
    static int subscribersSeenBy(Node on, Device d) {
        String prefix = "devices." + d.username() + ".";
        List<RemoteQueueBinding> remote = on.server().getPostOffice().getAllBindings()
                .filter(binding -> binding instanceof RemoteQueueBinding && binding.getAddress().toString().startsWith(prefix))
                .map(binding -> (RemoteQueueBinding) binding).toList();
        return remote.isEmpty() ? -1 : remote.stream().mapToInt(RemoteQueueBinding::consumerCount).sum();
    }

    static void awaitSubscriberSeenBy(Node on, Device d, int consumers) {
        await().atMost(Duration.ofSeconds(20)).until(() -> subscribersSeenBy(on, d) == consumers);
    }

    /** Messages waiting in {@code on}'s local queues of the device's namespace. */
    static long queuedFor(Node on, Device d) {
        String prefix = "devices." + d.username() + ".";
        return on.server().getPostOffice().getAllBindings()
                .filter(binding -> binding.isLocal() && binding.getAddress().toString().startsWith(prefix)
                        && binding.getBindable() instanceof org.apache.activemq.artemis.core.server.Queue)
                .mapToLong(binding -> ((org.apache.activemq.artemis.core.server.Queue) binding.getBindable()).getMessageCount()).sum();
    }

    void awaitIngestQueuesEmpty() {
        await().atMost(Duration.ofSeconds(30)).until(() -> a.hosted().ingestQueueMessages() == 0 && b.hosted().ingestQueueMessages() == 0);
    }

    /** Rows stored on the devices' topics (the class's database holds every test's). */
    long rows(Device... devices) {
        return Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE " + ofDevices(devices));
    }

    /** SQL condition: the row's topic is in one of the devices' namespaces ({@code devices/<username>/}). */
    static String ofDevices(Device... devices) {
        return java.util.Arrays.stream(devices).map(d -> "starts_with(topic, 'devices/" + d.username() + "/')")
                .collect(java.util.stream.Collectors.joining(" OR ", "(", ")"));
    }

    static ClientSession coreSession(int port, String user, String password) throws Exception {
        return coreSession("tcp://127.0.0.1:" + port, user, password);
    }

    static ClientSession coreSession(String url, String user, String password) throws Exception {
        try (ServerLocator locator = ActiveMQClient.createServerLocator(url)) {
            locator.setReconnectAttempts(0).setInitialConnectAttempts(1).setCallTimeout(5_000);
            try (ClientSessionFactory factory = locator.createSessionFactory()) {
                ClientSession session = factory.createSession(user, password, false, true, true, false, 0);
                session.close();
                return session;
            }
        }
    }
}
