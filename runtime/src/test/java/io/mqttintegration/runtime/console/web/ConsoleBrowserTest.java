package io.mqttintegration.runtime.console.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mqttintegration.devdb.MosquittoBroker;
import io.mqttintegration.devdb.TestDatabase;
import io.mqttintegration.parsers.Json;
import io.mqttintegration.runtime.RuntimeHarness;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's headless Chromium, driven through its chromedriver so that
 * nothing is downloaded) against the real service, PostgreSQL and Mosquitto: what a user does, in
 * order, one organization's session through every page, then another organization's and the
 * operator's.
 *
 * <p>The tests are steps of one story and run in their {@link Order}: one service, broker and
 * database serve them all (starting them per test would take minutes), and each test opens a fresh
 * browser, so no session is carried over. Step 1 creates and subscribes the integration the later
 * steps use ({@link #integrationId}, sensor-1's messages); each later step names what it needs of
 * the earlier ones and fails with that precondition's name when it is missing, not with a confusing
 * symptom.
 *
 * <p>Screenshots go to {@code runtime/target/console-screenshots/}, so that a test run changes no
 * tracked file; {@code -Dconsole.screenshots=docs/console} (a path relative to the project's root)
 * writes them where docs/console.md shows them, to regenerate those.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    /** The project's root (the routes folder's parent). */
    static final Path ROOT = Path.of(System.getProperty("mqi.routes.dir")).toAbsolutePath().normalize().getParent();
    static final Path SHOTS = System.getProperty("console.screenshots", "").isBlank()
            ? ROOT.resolve("runtime/target/console-screenshots")
            : ROOT.resolve(System.getProperty("console.screenshots")).normalize();

    MosquittoBroker broker;
    RuntimeHarness service;
    RuntimeHarness.Tenant acme;
    RuntimeHarness.Tenant other;
    WebDriver browser;
    WebDriverWait wait;
    /** Step 1's integration, and whether it was subscribed: the later steps' preconditions. */
    String integrationId;
    boolean subscribed;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();

    @BeforeAll
    void start(@TempDir Path work) throws Exception {
        broker = MosquittoBroker.start(work.resolve("mosquitto"), Map.of());
        service = RuntimeHarness.start(TestDatabase.newDatabase(), work.resolve("service"), Map.of());
        acme = service.createOrganization("acme");
        other = service.createOrganization("other");
        Files.createDirectories(SHOTS);
    }

    @BeforeEach
    void openBrowser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--lang=en-GB", "--force-device-scale-factor=1");
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver")).toFile())
                .build();
        browser = new ChromeDriver(driver, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    @AfterEach
    void closeBrowser() {
        browser.quit();
    }

    @AfterAll
    void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** Step 1, needs nothing: makes the integration every later step uses, subscribed to Mosquitto's site/#. */
    @Test
    @Order(1)
    void anIntegrationIsCreatedTestedAndSubscribed() throws Exception {
        browser.get(url("/console/"));
        wait.until(ExpectedConditions.urlContains("signin.html"));
        shot("signin");
        signIn(acme.adminKey());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("integration-form")));

        type("i-name", "greenhouse broker");
        type("i-host", "127.0.0.1");
        type("i-port", "70000");
        type("i-topics", "site/#");
        click("i-save");
        WebElement portError = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-error-for='i-port']")));
        assertTrue(portError.getText().contains("settings.port"), "the API's message is shown at the port field: " + portError.getText());
        assertEquals("true", browser.findElement(By.id("i-port")).getAttribute("aria-invalid"));
        assertEquals("i-port", browser.switchTo().activeElement().getAttribute("id"), "the field at fault has the focus");
        shot("integration-error");

        type("i-port", Integer.toString(broker.port()));
        click("i-save");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("run-test"))).click();
        WebElement outcome = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("test-outcome")));
        assertTrue(outcome.getText().startsWith("Connection works"), "the connection test passes against Mosquitto: " + outcome.getText());
        assertEquals(List.of("dns", "tcp", "connect", "subscribe", "publish", "receive"),
                browser.findElements(By.cssSelector("#test-result tbody tr td:first-child")).stream().map(WebElement::getText).toList(),
                "each step of the test is listed");
        integrationId = browser.findElement(By.cssSelector("[data-open]")).getAttribute("data-open");

        click("subscribe");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("subscription-state"), "connected"));
        broker.subscribed("site/#");
        shot("integrations");
        subscribed = true;

    }

    /** Needs step 1: the integration subscribed to Mosquitto's site/#. */
    @Test
    @Order(2)
    void itsMessagesAppearLiveAndPausingStopsThem() throws Exception {
        requireSubscribedIntegration();
        signInAt("#live", acme.adminKey());
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("live-status"), "Listening"));
        publishUntilShown("{\"temperature\":21.5,\"humidity\":48}", "temperature=21.5");
        broker.publishLines("site/devices/sensor-1/telemetry", List.of("not json"), 1, null, null);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("live-rows"), "failed"));
        String rows = browser.findElement(By.id("live-rows")).getText();
        assertTrue(rows.contains("site/devices/sensor-1/telemetry") && rows.contains("sensor-1") && rows.contains("temperature=21.5"),
                "topic, device and readings are shown: " + rows);
        shot("live");

        click("live-pause");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("live-status"), "Paused"));
        broker.publishLines("site/devices/sensor-1/telemetry", List.of("{\"temperature\":99}"), 1, null, null);
        org.awaitility.Awaitility.await("the message sent while paused is stored").atMost(Duration.ofSeconds(20)).until(() ->
                service.send("GET", "/api/v1/telemetry/latest?deviceId=sensor-1", acme.adminKey(), null).body().contains("99"));
        click("live-pause");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("live-status"), "Listening"));
        publishUntilShown("{\"temperature\":23.5}", "temperature=23.5");
        assertFalse(browser.findElement(By.id("live-rows")).getText().contains("temperature=99"),
                "what was stored while paused is not shown; what came after resuming is");
    }

    /** Needs step 1: an integration to run the parser of. */
    @Test
    @Order(3)
    void theParserDryRunShowsReadingsOrTheError() throws Exception {
        requireIntegration();
        signInAt("#parser", acme.adminKey());
        WebElement payload = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("p-payload")));
        payload.clear();
        payload.sendKeys("{\"temperature\": 19.25, \"ts\": \"2026-11-26T10:00:00Z\"}");
        type("p-topic", "site/devices/sensor-9/telemetry");
        click("p-run");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("parse-status"), "parsed"));
        String readings = browser.findElement(By.id("parser-result")).getText();
        assertTrue(readings.contains("sensor-9") && readings.contains("temperature") && readings.contains("19.25"), readings);
        shot("parser");

        payload.clear();
        payload.sendKeys("{\"temperature\": ");
        click("p-run");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("parse-status"), "failed"));
    }

    /** Needs step 1: the subscription stores what is published to Mosquitto. */
    @Test
    @Order(4)
    void aChartOfIngestedReadingsHasTheirPoints() throws Exception {
        requireSubscribedIntegration();
        // Three readings of sensor-2, each in its own hour of the last 24: three 1-hour buckets.
        long hour = Instant.now().getEpochSecond() / 3600 * 3600;
        List<Double> values = List.of(18.5, 20.25, 22.0);
        broker.publishLines("site/devices/sensor-2/telemetry", List.of(
                "{\"temperature\":18.5,\"ts\":" + (hour - 3 * 3600 + 600) + "}",
                "{\"temperature\":20.25,\"ts\":" + (hour - 2 * 3600 + 600) + "}",
                "{\"temperature\":22.0,\"ts\":" + (hour - 3600 + 600) + "}"), 1, null, null);
        org.awaitility.Awaitility.await("the readings are stored").atMost(Duration.ofSeconds(20)).until(() ->
                service.send("GET", "/api/v1/telemetry/latest?deviceId=sensor-2", acme.adminKey(), null).body().contains("22"));

        signInAt("#chart", acme.adminKey());
        type("c-device", "sensor-2");
        type("c-metric", "temperature");
        new Select(browser.findElement(By.id("c-bucket"))).selectByValue("1h");
        click("c-draw");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("chart-summary"), "buckets"));
        @SuppressWarnings("unchecked")
        List<Object> drawn = (List<Object>) js("return window.mqiChart.data[1];");
        @SuppressWarnings("unchecked")
        List<Object> times = (List<Object>) js("return window.mqiChart.data[0];");
        assertEquals(values, drawn.stream().map(v -> ((Number) v).doubleValue()).toList(), "uPlot drew the three readings");
        assertEquals(List.of(hour - 3 * 3600, hour - 2 * 3600, hour - 3600), times.stream().map(v -> ((Number) v).longValue()).toList(),
                "at their buckets' starts");
        assertFalse(browser.findElements(By.cssSelector("#chart canvas")).isEmpty(), "a canvas was drawn");
        shot("chart");
    }

    /** Needs step 1: the subscription stores the message that makes sensor-5 a device. */
    @Test
    @Order(5)
    void devicesSinksAndDeadLettersPagesShowTheOrganizationsData() throws Exception {
        requireSubscribedIntegration();
        broker.publishLines("site/devices/sensor-5/telemetry", List.of("{\"temperature\":17.5}"), 1, null, null);
        org.awaitility.Awaitility.await("sensor-5's reading is stored").atMost(Duration.ofSeconds(20)).until(() ->
                service.send("GET", "/api/v1/telemetry/latest?deviceId=sensor-5", acme.adminKey(), null).body().contains("17.5"));
        signInAt("#devices", acme.adminKey());
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("device-results"), "sensor-5"));
        shot("devices");
        browser.get(url("/console/#sinks"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("sink-list"), "no sink"));
        shot("sinks");
        browser.get(url("/console/#dead-letters"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("dead-letter-list"), "No dead letter"));
        shot("dead-letters");

        browser.manage().window().setSize(new Dimension(360, 800));
        browser.get(url("/console/#integrations"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-open]")));
        long width = ((Number) js("return document.documentElement.scrollWidth;")).longValue();
        long viewport = ((Number) js("return document.documentElement.clientWidth;")).longValue();
        assertTrue(width <= viewport, "at 360 px nothing scrolls sideways: " + width + " > " + viewport);
        shot("integrations-360");
    }

    /** Needs step 1: acme's integration, which the other organization must not see. */
    @Test
    @Order(6)
    void anotherOrganizationsKeySeesNoneOfIt() throws Exception {
        requireIntegration();
        signInAt("#integrations", other.adminKey());
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("integration-list"), "No integration yet"));
        browser.get(url("/console/#devices"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("device-results"), "No device matches"));
        Object status = ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch('/api/v1/integrations/" + integrationId + "', {credentials: 'same-origin'}).then(r => done(r.status));");
        assertEquals(404L, ((Number) status).longValue(), "acme's integration is not found with other's session");
        Object live = ((JavascriptExecutor) browser).executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                        + "fetch('/api/v1/integrations/" + integrationId + "/live', {credentials: 'same-origin'}).then(r => done(r.status));");
        assertEquals(404L, ((Number) live).longValue(), "nor its live stream");
    }

    /** Needs step 1: an integration to list (the page is then fully loaded). */
    @Test
    @Order(7)
    void signingOutEndsTheSession() throws Exception {
        requireIntegration();
        signInAt("#integrations", acme.adminKey());
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-open]")));
        Cookie cookie = browser.manage().getCookieNamed("mqi_session");
        assertNotNull(cookie, "the session is a cookie");
        assertTrue(cookie.isHttpOnly(), "the page's scripts cannot read it");
        assertEquals("Strict", cookie.getSameSite());
        assertEquals(200, withCookie("GET", "/api/v1/session", cookie.getValue(), null).statusCode());
        assertFalse(browser.findElement(By.tagName("body")).getText().contains(acme.adminKey()), "the key is never shown");
        assertTrue(((String) js("return JSON.stringify(sessionStorage) + JSON.stringify(localStorage) + document.cookie;"))
                .indexOf(acme.adminKey()) < 0, "nor kept by the browser");

        click("sign-out");
        wait.until(ExpectedConditions.urlContains("signin.html"));
        assertEquals(401, withCookie("GET", "/api/v1/session", cookie.getValue(), null).statusCode(),
                "the signed-out session's cookie no longer works");
        assertEquals(401, withCookie("GET", "/api/v1/integrations", cookie.getValue(), null).statusCode());
        browser.get(url("/console/#integrations"));
        wait.until(ExpectedConditions.urlContains("signin.html"));
    }

    /** Needs nothing of the earlier steps. */
    @Test
    @Order(8)
    void theOperatorSeesTheRouteFiles() throws Exception {
        browser.get(url("/console/operator.html"));
        type("key", RuntimeHarness.OPERATOR_KEY);
        browser.findElement(By.cssSelector("#signin button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("route-file-list"), "api-integrations.camel.yaml"));
        shot("route-files");
    }

    /** Needs nothing of the earlier steps. */
    @Test
    @Order(9)
    void pagesCarryTheSecurityHeadersAndChangesNeedTheCsrfToken() throws Exception {
        for (String path : List.of("/console/", "/console/app.js", "/console/signin.html", "/api/docs")) {
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(service.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), path);
            assertEquals(CSP, page.headers().firstValue("Content-Security-Policy").orElse(null), path);
            assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(null), path);
            assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(null), path);
            assertEquals("no-referrer", page.headers().firstValue("Referrer-Policy").orElse(null), path);
        }
        HttpResponse<String> session = service.send("POST", "/api/v1/session", null, "{\"key\":\"" + acme.adminKey() + "\"}");
        assertEquals(201, session.statusCode(), session.body());
        String cookie = session.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0].substring("mqi_session=".length());
        String csrf = Json.strict().readTree(session.body()).path("csrfToken").asText();
        String body = "{\"name\":\"by cookie\",\"settings\":{\"host\":\"broker.example\"}}";
        HttpResponse<String> refused = withCookie("POST", "/api/v1/integrations", cookie, body);
        assertEquals(403, refused.statusCode(), "a change with the cookie and no CSRF token is refused");
        assertEquals("csrf", Json.strict().readTree(refused.body()).path("error").asText());
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(service.uri("/api/v1/integrations"))
                .header("Cookie", "mqi_session=" + cookie).header("X-CSRF-Token", csrf).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, accepted.statusCode(), accepted.body());
    }

    private void requireIntegration() {
        assertNotNull(integrationId, "precondition: step 1 (anIntegrationIsCreatedTestedAndSubscribed) created the integration");
    }

    private void requireSubscribedIntegration() {
        requireIntegration();
        assertTrue(subscribed, "precondition: step 1 (anIntegrationIsCreatedTestedAndSubscribed) subscribed the integration to site/#");
    }

    /**
     * The stream carries what is committed from the moment it is open: publishes until the message is
     * shown (the EventSource's open can come just before the server's listener is in place).
     */
    private void publishUntilShown(String payload, String shown) throws Exception {
        WebDriverWait live = new WebDriverWait(browser, Duration.ofSeconds(3));
        for (int i = 0; !browser.findElement(By.id("live-rows")).getText().contains(shown); i++) {
            assertTrue(i < 10, "a message published to Mosquitto shows in the live view: " + shown + "; the view says: "
                    + browser.findElement(By.id("live-status")).getText() + "; the API's stream answers: " + js(
                    "const c = new AbortController(); setTimeout(() => c.abort(), 2000);"
                    + " return fetch(document.getElementById('live-integration').value ? '/api/v1/integrations/'"
                    + " + document.getElementById('live-integration').value + '/live' : '', {signal: c.signal,"
                    + " headers: {Accept: 'text/event-stream'}}).then(r => r.status + ' ' + r.headers.get('content-type'),"
                    + " e => 'no answer within 2 s: ' + e);"));
            broker.publishLines("site/devices/sensor-1/telemetry", List.of(payload), 1, null, null);
            try {
                live.until(ExpectedConditions.textToBePresentInElementLocated(By.id("live-rows"), shown));
            } catch (org.openqa.selenium.TimeoutException notYet) {
                // sent before the stream listened: send again
            }
        }
    }

    private void signIn(String key) {
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
        type("key", key);
        browser.findElement(By.cssSelector("#signin button[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains("index.html"));
    }

    /** Signs in (a fresh browser has no session), then opens the page. */
    private void signInAt(String page, String key) {
        browser.get(url("/console/signin.html"));
        signIn(key);
        browser.get(url("/console/index.html" + page));
    }

    private HttpResponse<String> withCookie(String method, String path, String cookie, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path)).header("Cookie", "mqi_session=" + cookie)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String url(String path) {
        return service.uri(path).toString();
    }

    private void type(String id, String text) {
        WebElement input = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
        input.clear();
        input.sendKeys(text);
    }

    private void click(String id) {
        wait.until(ExpectedConditions.elementToBeClickable(By.id(id))).click();
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(name + ".png"), ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
