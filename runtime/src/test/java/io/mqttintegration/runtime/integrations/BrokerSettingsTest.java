package io.mqttintegration.runtime.integrations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.mqtt.BrokerException;
import io.mqttintegration.runtime.mqtt.TlsContexts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** An integration's typed settings: defaults, validation, the stored form and the TLS key rule. No Camel, no database. */
class BrokerSettingsTest {

    private static final UUID ID = UUID.fromString("01a21939-deec-74c2-ba98-851bfbaeb5cd");

    private final IntegrationSettings settings = new IntegrationSettings(() -> Set.of("standard", "senml"));

    private BrokerSettings apply(BrokerSettings current, String patch) {
        return settings.apply(current, tree(patch));
    }

    private BrokerSettings create(String patch) {
        return apply(BrokerSettings.empty(), patch);
    }

    private static String json(Object value) {
        try {
            return Json.strict().writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void fillsInEveryDefaultWhenOnlyTheHostIsGiven() {
        BrokerSettings s = create("{\"host\":\"broker.example\"}");
        assertEquals("mqtt", s.protocolOrDefault());
        assertEquals(1883, s.portOrDefault());
        assertNull(s.pathOrDefault(), "plain MQTT has no WebSocket path");
        assertEquals("mqi-01a21939deec74c2ba9", s.clientIdOrDefault(ID));
        assertEquals(60, s.keepAliveSecondsOrDefault());
        assertEquals(86_400L, s.sessionExpirySecondsOrDefault(), "one day: a session outlives a restart");
        assertEquals(1, s.qosOrDefault());
        assertEquals(List.of(), s.topicsOrDefault());
        assertEquals("standard", s.parserOrDefault());
        assertEquals(List.of(), s.parsersOrDefault());
        assertNull(s.tls());
        assertNull(s.sharedGroup());
        assertTrue(new BrokerSettings.Tls(null, null, null, null).verifyHostnameOrDefault(), "the broker's name is checked by default");
    }

    @Test
    void theDefaultPortAndPathFollowTheProtocol() {
        assertEquals(8883, create("{\"host\":\"h\",\"protocol\":\"mqtts\"}").portOrDefault());
        assertEquals(80, create("{\"host\":\"h\",\"protocol\":\"ws\"}").portOrDefault());
        assertEquals("/mqtt", create("{\"host\":\"h\",\"protocol\":\"ws\"}").pathOrDefault());
        assertEquals(443, create("{\"host\":\"h\",\"protocol\":\"wss\"}").portOrDefault());
        BrokerSettings plain = create("{\"host\":\"h\"}");
        assertEquals(8883, apply(plain, "{\"protocol\":\"mqtts\"}").portOrDefault(),
                "only given values are stored: switching protocol moves the default port along");
        assertEquals(1884, apply(create("{\"host\":\"h\",\"port\":1884}"), "{\"protocol\":\"mqtts\"}").portOrDefault(),
                "a chosen port stays");
    }

    @Test
    void nullPutsAFieldBackToItsDefaultAndUntouchedFieldsStay() {
        BrokerSettings s = create("{\"host\":\"h\",\"qos\":0,\"keepAliveSeconds\":30,\"username\":\"svc\"}");
        BrokerSettings patched = apply(s, "{\"qos\":null,\"port\":1884}");
        assertEquals(1, patched.qosOrDefault());
        assertEquals(30, patched.keepAliveSecondsOrDefault());
        assertEquals("svc", patched.username());
        assertEquals(1884, patched.portOrDefault());
    }

    @Test
    void theInactivityTimeoutDefaultsToTenMinutesZeroMeaningNever() {
        assertEquals(600, create("{\"host\":\"h\"}").inactivityTimeoutSecondsOrDefault());
        assertEquals(600, IntegrationSettings.view(create("{\"host\":\"h\"}"), ID).get("inactivityTimeoutSeconds"));
        assertEquals(0, create("{\"host\":\"h\",\"inactivityTimeoutSeconds\":0}").inactivityTimeoutSecondsOrDefault());
        assertEquals("{\"host\":\"h\",\"inactivityTimeoutSeconds\":2}", create("{\"host\":\"h\",\"inactivityTimeoutSeconds\":2}").storedJson(),
                "stored as given: the sweep reads it in SQL");
    }

    @Test
    void refusesEachBadFieldNamingIt() {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"host\":\"h\",\"color\":\"red\"}", "settings.color");
        cases.put("{}", "settings.host");
        cases.put("{\"host\":\"tcp://h:1883\"}", "settings.host");
        cases.put("{\"host\":\"h\",\"protocol\":\"amqp\"}", "settings.protocol");
        cases.put("{\"host\":\"h\",\"port\":70000}", "settings.port");
        cases.put("{\"host\":\"h\",\"port\":\"1883\"}", "settings.port");
        cases.put("{\"host\":\"h\",\"path\":\"/mqtt\"}", "settings.path");
        cases.put("{\"host\":\"h\",\"protocol\":\"ws\",\"path\":\"/a b\"}", "settings.path");
        cases.put("{\"host\":\"h\",\"clientId\":\"a b\"}", "settings.clientId");
        cases.put("{\"host\":\"h\",\"username\":7}", "settings.username");
        cases.put("{\"host\":\"h\",\"password\":7}", "settings.password");
        cases.put("{\"host\":\"h\",\"keepAliveSeconds\":65536}", "settings.keepAliveSeconds");
        cases.put("{\"host\":\"h\",\"sessionExpirySeconds\":4294967296}", "settings.sessionExpirySeconds");
        cases.put("{\"host\":\"h\",\"qos\":2}", "settings.qos");
        cases.put("{\"host\":\"h\",\"topics\":\"a/b\"}", "settings.topics");
        cases.put("{\"host\":\"h\",\"topics\":[\"a/#/b\"]}", "settings.topics[0]");
        cases.put("{\"host\":\"h\",\"topics\":[\"ok\",3]}", "settings.topics[1]");
        cases.put("{\"host\":\"h\",\"sharedGroup\":\"a/b\"}", "settings.sharedGroup");
        cases.put("{\"host\":\"h\",\"tls\":[]}", "settings.tls");
        cases.put("{\"host\":\"h\",\"tls\":{\"ca\":\"x\"}}", "settings.tls.ca");
        cases.put("{\"host\":\"h\",\"tls\":{\"caCertPem\":\"not a certificate\"}}", "settings.tls.caCertPem");
        cases.put("{\"host\":\"h\",\"tls\":{\"clientCertPem\":\"not a certificate\"}}", "settings.tls.clientCertPem");
        cases.put("{\"host\":\"h\",\"tls\":{\"clientKeyPem\":\"not a key\"}}", "settings.tls.clientKeyPem");
        cases.put("{\"host\":\"h\",\"tls\":{\"verifyHostname\":\"yes\"}}", "settings.tls.verifyHostname");
        cases.put("{\"host\":\"h\",\"parser\":\"nope\"}", "settings.parser");
        cases.put("{\"host\":\"h\",\"parsers\":[{\"topic\":\"a/+\",\"parser\":\"nope\"}]}", "settings.parsers[0].parser");
        cases.put("{\"host\":\"h\",\"parsers\":[{\"topic\":\"a/#/b\",\"parser\":\"senml\"}]}", "settings.parsers[0].topic");
        cases.put("{\"host\":\"h\",\"deviceIdPattern\":\"devices/(.*\"}", "settings.deviceIdPattern");
        cases.put("{\"host\":\"h\",\"messageIdentity\":\"id\"}", "settings.messageIdentity");
        cases.put("{\"host\":\"h\",\"messageIdentity\":{}}", "settings.messageIdentity");
        cases.put("{\"host\":\"h\",\"messageIdentity\":{\"userProperty\":\"id\",\"jsonPointer\":\"/id\"}}", "settings.messageIdentity");
        cases.put("{\"host\":\"h\",\"messageIdentity\":{\"jsonPointer\":\"id\"}}", "settings.messageIdentity.jsonPointer");
        cases.put("{\"host\":\"h\",\"messageIdentity\":{\"userProperty\":\"\"}}", "settings.messageIdentity.userProperty");
        cases.put("{\"host\":\"h\",\"messageIdentity\":{\"header\":\"id\"}}", "settings.messageIdentity.header");
        cases.put("{\"host\":\"h\",\"inactivityTimeoutSeconds\":-1}", "settings.inactivityTimeoutSeconds");
        cases.put("{\"host\":\"h\",\"inactivityTimeoutSeconds\":\"600\"}", "settings.inactivityTimeoutSeconds");
        cases.forEach((patch, field) -> {
            ApiException e = assertThrows(ApiException.class, () -> create(patch), patch + " must be refused");
            assertEquals(400, e.status(), patch);
            assertEquals(field, e.field(), patch + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith(field + " ") || e.getMessage().contains("'" + field + "'"),
                    "the message names the field: " + e.getMessage());
        });
    }

    @Test
    void theStoredJsonHoldsTheGivenValuesAndReadsBackToTheSameSettings() throws Exception {
        BrokerSettings s = create("{\"protocol\":\"wss\",\"host\":\"broker.example\",\"path\":\"/ws\",\"clientId\":\"plant-7\","
                + "\"username\":\"svc\",\"password\":\"pw\",\"keepAliveSeconds\":30,\"sessionExpirySeconds\":4294967295,"
                + "\"qos\":0,\"topics\":[\"a/+\",\"b/#\"],\"sharedGroup\":\"g1\",\"tls\":{\"verifyHostname\":false,\"clientKeyPem\":"
                + json(pem("rsa-pkcs8.pem")) + "},\"parser\":\"senml\",\"parsers\":[{\"topic\":\"a/+\",\"parser\":\"standard\"}],"
                + "\"deviceIdPattern\":\"a/{deviceId}\",\"messageIdentity\":{\"jsonPointer\":\"/meta/id\"}}");

        assertEquals(s, BrokerSettings.fromStored(s.storedJson(), s.secrets()), "stored JSON plus secrets give the settings back");
        assertEquals(Json.strict().readTree("{\"protocol\":\"wss\",\"host\":\"broker.example\",\"path\":\"/ws\","
                + "\"clientId\":\"plant-7\",\"username\":\"svc\",\"keepAliveSeconds\":30,\"sessionExpirySeconds\":4294967295,"
                + "\"qos\":0,\"topics\":[\"a/+\",\"b/#\"],\"sharedGroup\":\"g1\",\"tls\":{\"verifyHostname\":false},"
                + "\"parser\":\"senml\",\"parsers\":[{\"topic\":\"a/+\",\"parser\":\"standard\"}],\"deviceIdPattern\":\"a/{deviceId}\","
                + "\"messageIdentity\":{\"jsonPointer\":\"/meta/id\"}}"),
                Json.strict().readTree(s.storedJson()));
        assertEquals("{\"host\":\"h\"}", create("{\"host\":\"h\"}").storedJson(), "no default is written down");
    }

    @Test
    void aStoredFieldThisVersionDoesNotKnowLeavesTheIntegrationReadable() {
        BrokerSettings s = BrokerSettings.fromStored("{\"host\":\"h\",\"retired\":1,\"tls\":{\"retired\":true}}", Map.of());
        assertEquals("h", s.host());
        assertEquals("{\"host\":\"h\",\"tls\":{}}", s.storedJson(), "and is dropped when the settings are written again");
        assertThrows(ApiException.class, () -> create("{\"host\":\"h\",\"retired\":1}"), "input is still checked field by field");
    }

    @Test
    void secretsAreNeverInTheClearJsonAndAreKeptUntilRemoved() throws Exception {
        String key = pem("rsa-pkcs8.pem");
        BrokerSettings s = create("{\"host\":\"h\",\"password\":\"hunter2-secret\",\"tls\":{\"clientKeyPem\":" + json(key) + "}}");
        assertFalse(s.storedJson().contains("hunter2-secret"), s.storedJson());
        assertFalse(s.storedJson().contains("PRIVATE KEY"), s.storedJson());
        assertFalse(s.storedJson().contains("password") || s.storedJson().contains("clientKeyPem"), s.storedJson());
        assertEquals(Map.of("password", "hunter2-secret", "clientKeyPem", key), s.secrets());
        assertFalse(json(IntegrationSettings.view(s, ID)).contains("hunter2-secret"), "shown masked");
        assertFalse(s.toString().contains("hunter2-secret") || s.toString().contains("PRIVATE KEY"),
                "nor in a log line or exception that names the settings: " + s);

        BrokerSettings kept = apply(s, "{\"tls\":{\"verifyHostname\":false},\"port\":1884}");
        assertEquals(s.secrets(), kept.secrets(), "a secret not mentioned is kept");
        BrokerSettings removed = apply(kept, "{\"password\":null,\"tls\":null}");
        assertEquals(Map.of(), removed.secrets(), "null removes the password; tls null removes the key");
        assertEquals(Map.of("password", "pw"), BrokerSettings.fromStored("{\"host\":\"h\"}", Map.of("password", "pw")).secrets());
    }

    /** The one rule: a key passes validation exactly when a TLS context can be made with it. */
    @Test
    void aClientKeyIsAcceptedExactlyWhenATlsConnectionCanUseIt() throws Exception {
        Map<String, Boolean> keys = new java.util.LinkedHashMap<>();
        keys.put("rsa-pkcs8.pem", true);
        keys.put("rsa-pkcs1.pem", true);
        keys.put("ec-pkcs8.pem", true);
        keys.put("ec-sec1.pem", false);
        keys.put("rsa-encrypted.pem", false);
        keys.put("rsa-pkcs1-encrypted.pem", false);
        keys.put("ed25519-pkcs8.pem", false);
        for (Map.Entry<String, Boolean> k : keys.entrySet()) {
            String key = pem(k.getKey());
            String cert = pem(k.getKey().startsWith("ec") ? "ec-cert.pem" : "rsa-cert.pem");
            boolean valid = accepted(key);
            assertEquals(k.getValue(), valid, k.getKey() + ": validation");
            assertEquals(valid, usable(cert, key), k.getKey() + ": what validation accepts, TLS can use, and nothing else");
        }
        ApiException e = assertThrows(ApiException.class,
                () -> create("{\"host\":\"h\",\"tls\":{\"clientKeyPem\":" + json(pem("ec-sec1.pem")) + "}}"));
        assertTrue(e.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), "says how to convert: " + e.getMessage());
        String damaged = pem("rsa-pkcs1.pem").replace("MII", "MIJ");
        assertFalse(accepted(damaged), "a damaged PKCS#1 body is refused");
        assertFalse(usable(pem("rsa-cert.pem"), damaged));
        String bundle = pem("rsa-cert.pem") + pem("rsa-pkcs1.pem");
        assertTrue(accepted(bundle) && usable(pem("rsa-cert.pem"), bundle), "the key of a certificate + key bundle is found");
        ApiException unlabelled = assertThrows(ApiException.class, () -> create("{\"host\":\"h\",\"tls\":{\"clientKeyPem\":"
                + json("-----BEGIN PRIVATE KEY\nMIIsecret\n-----END PRIVATE KEY-----") + "}}"));
        assertFalse(unlabelled.getMessage().contains("MIIsecret"), "no key material in the message: " + unlabelled.getMessage());
    }

    private boolean accepted(String key) {
        try {
            create("{\"host\":\"h\",\"tls\":{\"clientKeyPem\":" + json(key) + "}}");
            return true;
        } catch (ApiException e) {
            assertEquals("settings.tls.clientKeyPem", e.field(), e.getMessage());
            return false;
        }
    }

    private static boolean usable(String cert, String key) {
        try {
            TlsContexts.create(null, cert, key);
            return true;
        } catch (BrokerException e) {
            return false;
        }
    }

    private static String pem(String name) throws IOException {
        try (InputStream in = BrokerSettingsTest.class.getResourceAsStream("/pem/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    static com.fasterxml.jackson.databind.JsonNode tree(String json) {
        try {
            return Json.strict().readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
