package io.mqttintegration.runtime.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console's sessions on the real service and PostgreSQL: a key exchanged for a cookie that then
 * stands for the key on every /api/v1 operation, CSRF refused, sign-out and a revoked key end it, and
 * a session sees exactly what its key sees.
 */
class ConsoleSessionsTest {

    @TempDir
    static Path work;
    static DataSource db;
    static RuntimeHarness service;
    static RuntimeHarness.Tenant a;
    static RuntimeHarness.Tenant b;
    static String integrationA;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A signed-in browser: its cookie and the CSRF token the page keeps. */
    record Browser(String cookie, String csrf, JsonNode session, HttpResponse<String> signIn) {
    }

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.newDatabase();
        service = RuntimeHarness.start(db, work, Map.of("console.sessionMinutes", "30"));
        a = service.createOrganization("a");
        b = service.createOrganization("b");
        integrationA = Json.strict().readTree(service.send("POST", "/api/v1/integrations", a.adminKey(),
                "{\"name\":\"a-broker\",\"settings\":{\"host\":\"a.example\"}}").body()).path("id").asText();
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    static Browser signIn(String key) throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/session", null, null, Json.strict().writeValueAsString(Map.of("key", key)), Map.of());
        assertEquals(201, r.statusCode(), r.body());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        JsonNode body = Json.strict().readTree(r.body());
        return new Browser(setCookie.substring(0, setCookie.indexOf(';')), body.path("csrfToken").asText(), body, r);
    }

    static HttpResponse<String> send(String method, String path, String cookie, String csrf, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        if (csrf != null) {
            request.header("X-CSRF-Token", csrf);
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path, Browser browser) throws Exception {
        return send("GET", path, browser.cookie(), null, null, Map.of());
    }

    @Test
    void signInSetsAStrictHttpOnlyCookieAndTheSessionActsAsTheKey() throws Exception {
        Browser browser = signIn(a.adminKey());
        String setCookie = browser.signIn().headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.startsWith("mqi_session="), setCookie);
        for (String attribute : new String[] {"Path=/", "HttpOnly", "SameSite=Strict", "Max-Age=1800"}) {
            assertTrue(setCookie.contains("; " + attribute), "the cookie has " + attribute + ": " + setCookie);
        }
        assertFalse(setCookie.contains("Secure"), "plain HTTP: a Secure cookie would never come back: " + setCookie);
        assertFalse(browser.signIn().body().contains(a.adminKey()), "the key is never answered back");
        assertEquals(a.organizationId(), browser.session().path("organizationId").asText());
        assertFalse(browser.session().path("operator").asBoolean());
        assertEquals("[\"admin\"]", browser.session().path("scopes").toString());
        assertTrue(browser.csrf().length() >= 40, browser.csrf());

        HttpResponse<String> list = get("/api/v1/integrations", browser);
        assertEquals(200, list.statusCode(), list.body());
        assertTrue(list.body().contains(integrationA), "the cookie stands for the admin key: " + list.body());

        HttpResponse<String> again = get("/api/v1/session", browser);
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(browser.csrf(), Json.strict().readTree(again.body()).path("csrfToken").asText(), "a reload re-reads the token");

        String token = browser.cookie().substring("mqi_session=".length());
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE position(convert_to('" + token
                        + "', 'UTF8') IN token_hash) > 0 OR csrf_token = '" + token + "') FROM console_sessions")) {
            rs.next();
            assertTrue(rs.getInt(1) > 0, "sessions are in the database");
            assertEquals(0, rs.getInt(2), "the database keeps the token's keyed hash, not the token");
        }
    }

    @Test
    void aRequestOtherThanGetWithTheCookieNeedsTheCsrfToken() throws Exception {
        Browser browser = signIn(a.adminKey());
        String body = "{\"name\":\"csrf-broker\",\"settings\":{\"host\":\"c.example\"}}";
        HttpResponse<String> none = send("POST", "/api/v1/integrations", browser.cookie(), null, body, Map.of());
        assertEquals(403, none.statusCode(), none.body());
        assertEquals("csrf", Json.strict().readTree(none.body()).path("error").asText());
        HttpResponse<String> wrong = send("POST", "/api/v1/integrations", browser.cookie(), browser.csrf() + "x", body, Map.of());
        assertEquals(403, wrong.statusCode(), wrong.body());
        HttpResponse<String> inQuery = send("POST", "/api/v1/integrations?X-CSRF-Token=" + browser.csrf(), browser.cookie(), null, body,
                Map.of());
        assertEquals(403, inQuery.statusCode(), "a query parameter does not stand in for the header: " + inQuery.body());
        Browser other = signIn(a.adminKey());
        HttpResponse<String> anothers = send("POST", "/api/v1/integrations", browser.cookie(), other.csrf(), body, Map.of());
        assertEquals(403, anothers.statusCode(), "another session's token is not this one's: " + anothers.body());

        HttpResponse<String> right = send("POST", "/api/v1/integrations", browser.cookie(), browser.csrf(), body, Map.of());
        assertEquals(201, right.statusCode(), right.body());
        HttpResponse<String> bearer = service.send("POST", "/api/v1/integrations", a.adminKey(),
                "{\"name\":\"bearer-broker\",\"settings\":{\"host\":\"d.example\"}}");
        assertEquals(201, bearer.statusCode(), "Bearer calls need no CSRF token: " + bearer.body());
    }

    @Test
    void signOutEndsTheSessionAndClearsTheCookie() throws Exception {
        Browser browser = signIn(a.adminKey());
        HttpResponse<String> withoutToken = send("DELETE", "/api/v1/session", browser.cookie(), null, null, Map.of());
        assertEquals(403, withoutToken.statusCode(), "another site cannot sign the user out: " + withoutToken.body());
        HttpResponse<String> out = send("DELETE", "/api/v1/session", browser.cookie(), browser.csrf(), null, Map.of());
        assertEquals(204, out.statusCode(), out.body());
        String cleared = out.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cleared.startsWith("mqi_session=;") && cleared.contains("Max-Age=0"), cleared);

        assertEquals(401, get("/api/v1/session", browser).statusCode(), "the session is gone");
        HttpResponse<String> list = get("/api/v1/integrations", browser);
        assertEquals(401, list.statusCode(), "the old cookie no longer works: " + list.body());
    }

    @Test
    void revokingTheKeyEndsItsSessions() throws Exception {
        JsonNode key = Json.strict().readTree(service.send("POST", "/api/v1/organizations/" + a.organizationId() + "/api-keys",
                a.adminKey(), "{\"name\":\"reader\",\"scopes\":[\"read\"]}").body());
        Browser browser = signIn(key.path("key").asText());
        assertEquals(200, get("/api/v1/integrations", browser).statusCode());
        assertEquals(403, send("POST", "/api/v1/integrations", browser.cookie(), browser.csrf(),
                "{\"name\":\"x\",\"settings\":{\"host\":\"x.example\"}}", Map.of()).statusCode(), "the key's scopes, no more");

        HttpResponse<String> revoked = service.send("DELETE", "/api/v1/organizations/" + a.organizationId() + "/api-keys/"
                + key.path("id").asText(), a.adminKey(), null);
        assertEquals(204, revoked.statusCode(), revoked.body());
        assertEquals(401, get("/api/v1/integrations", browser).statusCode(), "a revoked key's session ends at once");
        assertEquals(401, get("/api/v1/session", browser).statusCode());
    }

    @Test
    void anotherOrganizationsSessionSeesNothingOfThisOne() throws Exception {
        Browser browserB = signIn(b.adminKey());
        assertEquals(b.organizationId(), browserB.session().path("organizationId").asText());
        HttpResponse<String> one = get("/api/v1/integrations/" + integrationA, browserB);
        assertEquals(404, one.statusCode(), "like a missing one: " + one.body());
        HttpResponse<String> list = get("/api/v1/integrations", browserB);
        assertEquals(200, list.statusCode());
        assertFalse(list.body().contains(integrationA), list.body());
        assertEquals(404, get("/api/v1/organizations/" + a.organizationId() + "/api-keys", browserB).statusCode());
    }

    @Test
    void theOperatorsSessionIsTheOperatorsAndWrongKeysAreRefused() throws Exception {
        Browser operator = signIn(RuntimeHarness.OPERATOR_KEY);
        assertTrue(operator.session().path("operator").asBoolean(), operator.session().toString());
        assertTrue(operator.session().path("organizationId").isNull(), operator.session().toString());
        HttpResponse<String> orgs = get("/api/v1/organizations", operator);
        assertEquals(200, orgs.statusCode(), orgs.body());
        assertTrue(orgs.body().contains(a.organizationId()) && orgs.body().contains(b.organizationId()), orgs.body());

        Browser admin = signIn(a.adminKey());
        assertEquals(403, get("/api/v1/organizations", admin).statusCode(), "an organization's session is not the operator's");

        HttpResponse<String> wrong = send("POST", "/api/v1/session", null, null, "{\"key\":\"mqi_nothing_like_a_key\"}", Map.of());
        assertEquals(401, wrong.statusCode(), wrong.body());
        assertTrue(wrong.headers().firstValue("Set-Cookie").isEmpty(), "no cookie for a wrong key");
        HttpResponse<String> missing = send("POST", "/api/v1/session", null, null, "{}", Map.of());
        assertEquals(400, missing.statusCode(), missing.body());
        assertEquals("key", Json.strict().readTree(missing.body()).path("field").asText());
        assertEquals(401, send("GET", "/api/v1/session", null, null, null, Map.of()).statusCode());
        assertEquals(401, send("GET", "/api/v1/integrations", "mqi_session=forged", null, null, Map.of()).statusCode());
    }

    @Test
    void behindAnHttpsProxyTheCookieIsSecure() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/session", null, null,
                Json.strict().writeValueAsString(Map.of("key", a.adminKey())), Map.of("X-Forwarded-Proto", "https"));
        assertEquals(201, r.statusCode(), r.body());
        String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(setCookie.endsWith("; Secure"), setCookie);
        assertNotEquals(signIn(a.adminKey()).cookie(), setCookie.substring(0, setCookie.indexOf(';')), "each sign-in its own token");
    }
}
