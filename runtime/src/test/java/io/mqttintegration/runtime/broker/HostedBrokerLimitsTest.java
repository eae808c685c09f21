package io.mqttintegration.runtime.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.runtime.Rows;
import io.mqttintegration.runtime.RuntimeHarness;
import io.mqttintegration.console.DeviceListCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;

/**
 * The hosted broker's per-organization limits (quotas.connectedDevices, quotas.deviceMessagesPerSecond)
 * with the real service, PostgreSQL, Paho v5 and mosquitto_pub: refusals carry their reason codes,
 * nothing refused is stored, everything accepted is, and /metrics and mqtt:device-list show it.
 * The node's defaults here: 1 message per second per device with a burst of 2.
 */
class HostedBrokerLimitsTest extends HostedBrokerCase {

    static final int QUOTA_EXCEEDED = 151;
    static final int MESSAGE_RATE_TOO_HIGH = 150;

    @Override
    Map<String, String> settings() {
        return Map.of("quotas.deviceMessagesPerSecond", "1", "quotas.deviceBurstSeconds", "2");
    }

    record Device(String organizationId, String integrationId, String username, String password) {
    }

    RuntimeHarness.Tenant organization(String name) throws Exception {
        return service.createOrganization(name);
    }

    /** {@code count} devices (credentials) of one integration of the organization. */
    List<Device> devices(RuntimeHarness.Tenant tenant, int count) throws Exception {
        JsonNode integration = json(service.send("POST", "/api/v1/integrations", tenant.adminKey(),
                "{\"name\":\"devices\",\"type\":\"mqtt\",\"settings\":{\"host\":\"broker.example\"}}"));
        String integrationId = integration.path("id").asText();
        List<Device> made = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> created = service.send("POST", "/api/v1/integrations/" + integrationId + "/credentials",
                    tenant.adminKey(), null);
            assertEquals(201, created.statusCode(), created.body());
            JsonNode c = json(created);
            made.add(new Device(tenant.organizationId(), integrationId, c.path("username").asText(), c.path("password").asText()));
        }
        return made;
    }

    static MqttConnectionOptions login(Device d) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setUserName(d.username());
        o.setPassword(d.password().getBytes(StandardCharsets.UTF_8));
        o.setCleanStart(true);
        o.setConnectionTimeout(10);
        o.setAutomaticReconnect(false);
        return o;
    }

    MqttAsyncClient connected(Device d) throws MqttException {
        MqttAsyncClient c = client(d.username());
        c.connect(login(d)).waitForCompletion(10_000);
        return c;
    }

    long rows(Device d) {
        return Rows.count(db, "SELECT count(*) FROM mqtt_messages WHERE source = 'hosted' AND integration_id = '"
                + d.integrationId() + "' AND topic LIKE 'devices/" + d.username() + "/%'");
    }

    String metrics() throws Exception {
        HttpResponse<String> r = service.send("GET", "/metrics", RuntimeHarness.OPERATOR_KEY, null);
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** The value of one series of /metrics (its name with its labels as written), or null if absent. */
    static Double series(String metrics, String nameAndLabels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : null;
    }

    @Test
    void aDeviceOverItsOrganizationsCapGets151AtConnectAnotherOrganizationsDeviceStillConnects() throws Exception {
        RuntimeHarness.Tenant acme = organization("acme");
        HttpResponse<String> capped = service.send("PATCH", "/api/v1/organizations/" + acme.organizationId() + "/quotas",
                RuntimeHarness.OPERATOR_KEY, "{\"connectedDevices\":2}");
        assertEquals(200, capped.statusCode(), capped.body());
        List<Device> a = devices(acme, 3);
        Device b = devices(organization("globex"), 1).get(0);

        MqttAsyncClient a0 = connected(a.get(0));
        connected(a.get(1));
        MqttAsyncClient third = client(a.get(2).username());
        MqttException refused = assertThrows(MqttException.class, () -> third.connect(login(a.get(2))).waitForCompletion(10_000));
        assertEquals(QUOTA_EXCEEDED, refused.getReasonCode(), "CONNACK Quota exceeded: " + refused);
        assertTrue(connected(b).isConnected(), "globex has its own cap (the default)");

        DeviceClientResult v5 = mosquittoPub("mqttv5", a.get(2), 1, "devices/" + a.get(2).username() + "/t");
        assertEquals(QUOTA_EXCEEDED, v5.exitCode(), "mosquitto_pub exits with the CONNACK's reason code\n" + v5.output());
        assertTrue(v5.output().contains("Quota exceeded"), v5.output());
        DeviceClientResult v311 = mosquittoPub("mqttv311", a.get(2), 1, "devices/" + a.get(2).username() + "/t");
        assertEquals(3, v311.exitCode(), "MQTT 3.1.1: CONNACK 3 Server unavailable\n" + v311.output());

        a0.disconnect().waitForCompletion(10_000);
        // The slot is freed when the broker has closed a0's connection.
        java.util.concurrent.atomic.AtomicInteger whileClosing = new java.util.concurrent.atomic.AtomicInteger();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            MqttAsyncClient again = client(a.get(2).username());
            try {
                again.connect(login(a.get(2))).waitForCompletion(10_000);
                return true;
            } catch (MqttException stillFull) {
                assertEquals(QUOTA_EXCEEDED, stillFull.getReasonCode(), stillFull.toString());
                whileClosing.incrementAndGet();
                return false;
            }
        });

        String m = metrics();
        assertEquals(3.0 + whileClosing.get(), series(m, "mqi_broker_refused_total{reason=\"device_cap\"}"), m);
        assertEquals(2.0, series(m, "mqi_broker_devices_connected{organization=\"" + acme.organizationId() + "\"}"), m);
        assertEquals(1.0, series(m, "mqi_broker_devices_connected{organization=\"" + b.organizationId() + "\"}"), m);
        assertEquals(3.0, series(m, "mqi_broker_devices"), m);
    }

    @Test
    void aDeviceReconnectingWithItsClientIdWhileItsOldConnectionLingersIsNotRefusedAtTheCap() throws Exception {
        RuntimeHarness.Tenant acme = organization("acme");
        assertEquals(200, service.send("PATCH", "/api/v1/organizations/" + acme.organizationId() + "/quotas",
                RuntimeHarness.OPERATOR_KEY, "{\"connectedDevices\":1}").statusCode());
        Device d = devices(acme, 1).get(0);
        MqttAsyncClient old = connected(d);
        MqttAsyncClient again = client(d.username()); // the same client id, as after a network blip
        again.connect(login(d)).waitForCompletion(10_000);
        assertTrue(again.isConnected());
        await().atMost(Duration.ofSeconds(10)).until(() -> !old.isConnected());
        await().atMost(Duration.ofSeconds(10)).until(() -> hosted.broker().connected().connected() == 1);
        assertEquals(0.0, series(metrics(), "mqi_broker_refused_total{reason=\"device_cap\"}"));
    }

    @Test
    void qos1BeyondTheDevicesRateGets151AndIsNotStoredTheOnesWithinItAre() throws Exception {
        Device d = devices(organization("acme"), 1).get(0);
        MqttAsyncClient c = connected(d);
        List<IMqttToken> tokens = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            MqttMessage m = new MqttMessage(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            tokens.add(c.publish("devices/" + d.username() + "/t", m));
        }
        int accepted = 0;
        int refused = 0;
        for (IMqttToken t : tokens) {
            try {
                t.waitForCompletion(10_000);
            } catch (MqttException e) {
                // Paho reports a failure reason code of a PUBACK as an exception; the token keeps the code
            }
            int code = t.getReasonCodes()[0];
            if (code == 0) {
                accepted++;
            } else {
                assertEquals(QUOTA_EXCEEDED, code, "PUBACK Quota exceeded beyond the rate");
                refused++;
            }
        }
        assertEquals(10, accepted + refused, "every message was answered");
        assertTrue(accepted >= 2, "at least the burst of 2 is accepted: " + accepted);
        assertTrue(refused >= 1, "1 per second: ten at once cannot all pass: " + refused);
        assertTrue(c.isConnected(), "the device stays connected");
        int stored = accepted;
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(d) == stored);

        String m = metrics();
        assertEquals((double) refused, series(m, "mqi_broker_refused_total{reason=\"rate\"}"), m);
        assertEquals((double) accepted, series(m, "mqi_broker_messages_received_total"), m);
        // the broker forgets a message once the service acknowledges it, just after its commit
        await().atMost(Duration.ofSeconds(20)).until(() -> series(metrics(), "mqi_broker_ingest_queue_messages") == 0.0);
        assertEquals(accepted, rows(d), "nothing refused was stored meanwhile");
    }

    @Test
    void qos0BeyondTheRateEndsTheConnectionWithDisconnect150() throws Exception {
        Device d = devices(organization("acme"), 1).get(0);
        MqttAsyncClient c = connected(d);
        List<Integer> disconnects = new CopyOnWriteArrayList<>();
        c.setCallback(new HostedBrokerTest.Callback(code -> disconnects.add(Integer.parseInt(code)), t -> { }));
        int sent = 0;
        try {
            for (; sent < 10 && c.isConnected(); sent++) {
                MqttMessage m = new MqttMessage("{\"q\":0}".getBytes(StandardCharsets.UTF_8));
                m.setQos(0);
                c.publish("devices/" + d.username() + "/t", m).waitForCompletion(10_000);
            }
        } catch (MqttException closed) {
            // the connection went while publishing
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !c.isConnected());
        await().atMost(Duration.ofSeconds(10)).until(() -> !disconnects.isEmpty());
        assertEquals(List.of(MESSAGE_RATE_TOO_HIGH), disconnects, "DISCONNECT Message rate too high");
        // QoS 0 is at most once: what the device sent just before the refused one may go with the connection.
        // What the broker took is stored, and that is not all ten.
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(d) == series(metrics(), "mqi_broker_messages_received_total"));
        assertTrue(rows(d) < 10, "not all ten: " + rows(d));
        assertTrue(series(metrics(), "mqi_broker_refused_total{reason=\"rate\"}") >= 1);
    }

    @Test
    void qos2BeyondTheRateEndsTheConnectionWithDisconnect150TooAndWhatWasAcknowledgedIsStored() throws Exception {
        Device d = devices(organization("acme"), 1).get(0);
        MqttAsyncClient c = connected(d);
        List<Integer> disconnects = new CopyOnWriteArrayList<>();
        c.setCallback(new HostedBrokerTest.Callback(code -> disconnects.add(Integer.parseInt(code)), t -> { }));
        // One after the other: each told received (PUBCOMP) before the next is sent.
        int completed = 0;
        try {
            for (int i = 0; i < 10 && c.isConnected(); i++) {
                MqttMessage m = new MqttMessage(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
                m.setQos(2);
                c.publish("devices/" + d.username() + "/t", m).waitForCompletion(10_000);
                completed++;
            }
        } catch (MqttException closed) {
            // the connection went while publishing
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !c.isConnected());
        await().atMost(Duration.ofSeconds(10)).until(() -> !disconnects.isEmpty());
        assertEquals(List.of(MESSAGE_RATE_TOO_HIGH), disconnects, "DISCONNECT Message rate too high");
        assertTrue(completed >= 2 && completed < 10, "the burst of 2 went through, not all ten: " + completed);
        int told = completed;
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(d) == told);
        assertTrue(series(metrics(), "mqi_broker_refused_total{reason=\"rate\"}") >= 1);
    }

    @Test
    void mqtt311DeviceBeyondTheRateLosesItsConnection() throws Exception {
        Device d = devices(organization("acme"), 1).get(0);
        DeviceClientResult r = mosquittoPub("mqttv311", d, 10, "devices/" + d.username() + "/t");
        assertEquals(7, r.exitCode(), "MQTT 3.1.1 has no reason code: the connection is closed\n" + r.output());
        long acknowledged = r.output().lines().filter(l -> l.contains("received PUBACK")).count();
        assertTrue(acknowledged >= 2 && acknowledged < 10, r.output());
        await().atMost(Duration.ofSeconds(20)).until(() -> rows(d) == acknowledged);
    }

    @Test
    void refusedLoginsAndPublishesOutsideTheNamespaceAreCountedAndTheFiguresGoWithTheBroker() throws Exception {
        Device a = devices(organization("acme"), 1).get(0);
        MqttAsyncClient wrong = client("wrong");
        MqttConnectionOptions bad = login(a);
        bad.setPassword("wrong".getBytes(StandardCharsets.UTF_8));
        MqttException e = assertThrows(MqttException.class, () -> wrong.connect(bad).waitForCompletion(10_000));
        assertEquals(134, e.getReasonCode(), "a bad login still gets 134: " + e);
        MqttAsyncClient c = connected(a);
        MqttMessage m = new MqttMessage("x".getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        IMqttToken t = c.publish("elsewhere", m);
        try {
            t.waitForCompletion(10_000);
        } catch (MqttException refused) {
            // the token keeps the code
        }
        assertEquals(135, t.getReasonCodes()[0]);
        IMqttToken subscribed = c.subscribe(new MqttSubscription("elsewhere/#", 1));
        try {
            subscribed.waitForCompletion(10_000);
        } catch (MqttException refused) {
            // the token keeps the code
        }
        assertEquals(135, subscribed.getReasonCodes()[0], "SUBACK Not authorized");

        String metrics = metrics();
        assertEquals(1.0, series(metrics, "mqi_broker_refused_total{reason=\"bad_login\"}"), metrics);
        assertEquals(2.0, series(metrics, "mqi_broker_refused_total{reason=\"not_authorized\"}"), "the publish and the subscription: " + metrics);
        assertEquals(0.0, series(metrics, "mqi_broker_refused_total{reason=\"device_cap\"}"), metrics);

        c.disconnect().waitForCompletion(10_000);
        hosted.close();
        hosted = null;
        assertFalse(metrics().contains("mqi_broker_"), "no broker, no broker figures");
    }

    @Test
    void deviceListShowsTheConnectedDevices() throws Exception {
        Device d = devices(organization("acme"), 1).get(0);
        MqttAsyncClient c = client("sensor-17");
        c.connect(login(d)).waitForCompletion(10_000);
        MqttMessage m = new MqttMessage("{\"t\":1}".getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        c.publish("devices/" + d.username() + "/t", m).waitForCompletion(10_000);

        String printed = deviceList();
        String line = printed.lines().filter(l -> l.contains(d.username())).findFirst()
                .orElseThrow(() -> new AssertionError("no line for the device in\n" + printed));
        for (String cell : List.of(d.organizationId(), d.integrationId(), "sensor-17", "127.0.0.1")) {
            assertTrue(line.contains(cell), cell + " in " + line);
        }
        assertTrue(line.matches(".*\\|\\s*1\\s*$"), "one message received: " + line);
        assertTrue(printed.contains("1 connected"), printed);

        c.disconnect().waitForCompletion(10_000);
        // Presence keeps the device, offline once its next flush (presence.flushMillis) has written the
        // disconnect: no line says it is online, and none is connected here.
        await().atMost(Duration.ofSeconds(10)).until(() -> deviceList().contains("0 connected"));
        await().atMost(Duration.ofSeconds(10)).until(() -> deviceList().lines().noneMatch(l -> l.contains(d.username()) && l.contains("online")));
    }

    /** mqtt:device-list as Karaf runs it: the action with its reference set, its output captured. */
    String deviceList() throws Exception {
        DeviceListCommand command = new DeviceListCommand();
        var field = DeviceListCommand.class.getDeclaredField("console");
        field.setAccessible(true);
        field.set(command, service.runtime.console());
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        synchronized (System.class) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            try {
                assertNull(command.execute());
            } finally {
                System.setOut(original);
            }
        }
        String printed = out.toString(StandardCharsets.UTF_8);
        System.err.print("karaf@root()> mqtt:device-list\n" + printed);
        return printed;
    }

    record DeviceClientResult(int exitCode, String output) {
    }

    /** mosquitto_pub QoS 1, {@code repeat} messages at once; exit code and output (-d: the packets). */
    DeviceClientResult mosquittoPub(String version, Device d, int repeat, String topic) throws Exception {
        Process p = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(config.port()), "-V", version,
                "-q", "1", "-u", d.username(), "-P", d.password(), "-t", topic, "-m", "{\"v\":1}", "--repeat", Integer.toString(repeat),
                "-d").redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "mosquitto_pub finished");
        return new DeviceClientResult(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
