package io.mqttintegration.runtime.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteFileDeployerTest {

    @TempDir
    Path dir;
    private DefaultCamelContext context;
    private RouteFileDeployer deployer;
    private ProducerTemplate template;

    @BeforeEach
    void start() {
        context = new DefaultCamelContext();
        context.start();
        deployer = new RouteFileDeployer(context, new ApiOperations());
        template = context.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    private Path write(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    private static String echo(String id, String uri, String answer) {
        return """
                - route:
                    id: %s
                    from:
                      uri: %s
                      steps:
                        - setBody:
                            constant: "%s"
                """.formatted(id, uri, answer);
    }

    private String call(String uri) {
        return template.requestBody(uri, "", String.class);
    }

    @Test
    void reloadingAFileReplacesOnlyItsOwnRoutes() throws Exception {
        Path a = write("a.camel.yaml", echo("a", "direct:a", "a1"));
        Path b = write("b.camel.yaml", echo("b", "direct:b", "b1"));
        assertEquals(List.of(), deployer.deployAll(List.of(a, b)));
        assertEquals("a1", call("direct:a"));

        Files.writeString(a, echo("a", "direct:a", "a2"));
        assertTrue(deployer.deploy(a));

        assertEquals("a2", call("direct:a"));
        assertEquals("b1", call("direct:b"));
        assertFalse(deployer.deploy(a), "unchanged content is not reloaded");
    }

    @Test
    void aBrokenEditIsRefusedWithFileAndLineAndTheLastGoodRoutesKeepRunning() throws Exception {
        Path a = write("a.camel.yaml", echo("a", "direct:a", "good"));
        deployer.deployAll(List.of(a));

        Files.writeString(a, "- route:\n    id: a\n    from: [broken\n");
        RouteFileException e = assertThrows(RouteFileException.class, () -> deployer.deploy(a));

        assertTrue(e.getMessage().contains("a.camel.yaml") && e.getMessage().contains("line"), e.getMessage());
        assertEquals("good", call("direct:a"));
        assertTrue(deployer.rejectedFiles().containsKey("a.camel.yaml"));

        Files.writeString(a, echo("a", "direct:a", "fixed"));
        deployer.deploy(a);
        assertEquals("fixed", call("direct:a"));
        assertTrue(deployer.rejectedFiles().isEmpty(), "a fixed file is no longer reported");
    }

    @Test
    void aRouteThatFailsToStartIsRolledBackToTheLastGoodVersion() throws Exception {
        Path a = write("a.camel.yaml", echo("a", "direct:a", "good"));
        deployer.deployAll(List.of(a));

        // parses fine, but no component "nosuch" exists: the route cannot start
        Files.writeString(a, echo("a", "nosuch:thing", "bad"));
        assertThrows(RouteFileException.class, () -> deployer.deploy(a));

        assertEquals("good", call("direct:a"), "the previous route is back");
        assertEquals("Started", context.getRouteController().getRouteStatus("a").name());
    }

    @Test
    void refusesRoutesWithoutIdOrWithAnIdAnotherFileOwns() throws Exception {
        Path a = write("a.camel.yaml", echo("shared", "direct:a", "a"));
        deployer.deployAll(List.of(a));

        Path b = write("b.camel.yaml", echo("shared", "direct:b", "b"));
        RouteFileException dup = assertThrows(RouteFileException.class, () -> deployer.deploy(b));
        assertTrue(dup.getMessage().contains("already defined in"), dup.getMessage());
        assertEquals("a", call("direct:a"), "the owner's route is untouched");

        Path c = write("c.camel.yaml", "- route:\n    from:\n      uri: direct:c\n      steps:\n        - log: x\n");
        RouteFileException noId = assertThrows(RouteFileException.class, () -> deployer.deploy(c));
        assertTrue(noId.getMessage().contains("explicit id"), noId.getMessage());
        assertTrue(deployer.rejectedFiles().containsKey("c.camel.yaml"));
        assertFalse(deployer.files().contains(c), "c never ran");
    }

    @Test
    void deletingAFileRemovesItsRoutes() throws Exception {
        Path a = write("a.camel.yaml", echo("a", "direct:a", "a"));
        deployer.deployAll(List.of(a));

        Files.delete(a);
        deployer.undeploy(a);

        assertNull(context.getRoute("a"));
        assertEquals(0, deployer.files().size());
    }

    @Test
    void loadsCamelXmlRouteFiles() throws Exception {
        Path x = write("x.xml", """
                <routes xmlns="http://camel.apache.org/schema/spring">
                  <route id="xml-route">
                    <from uri="direct:x"/>
                    <setBody><constant>from xml</constant></setBody>
                  </route>
                </routes>
                """);
        assertEquals(List.of(), deployer.deployAll(List.of(x)));
        assertEquals("from xml", call("direct:x"));
    }

    @Test
    void editingARouteConfigurationReappliesItToTheRoutesThatUseIt() throws Exception {
        Path config = write("errors.camel.yaml", errorConfig("first"));
        Path route = write("r.camel.yaml", """
                - route:
                    id: r
                    routeConfigurationId: errors
                    from:
                      uri: direct:r
                      steps:
                        - throwException:
                            exceptionType: java.lang.IllegalStateException
                            message: boom
                """);
        deployer.deployAll(List.of(route, config));
        assertEquals("first", call("direct:r"), "the configuration applies although its file sorts after the route's");

        Files.writeString(config, errorConfig("second"));
        deployer.deploy(config);

        assertEquals("second", call("direct:r"));
    }

    private static String errorConfig(String answer) {
        return """
                - routeConfiguration:
                    id: errors
                    onException:
                      - onException:
                          exception:
                            - java.lang.Exception
                          handled:
                            constant: true
                          steps:
                            - setBody:
                                constant: "%s"
                """.formatted(answer);
    }

    @Test
    void watcherDeploysAStableNewFileAndUndeploysADeletedOne() throws Exception {
        FolderWatcher watcher = new FolderWatcher(dir, deployer, 60_000);
        watcher.start();
        try {
            write("w.camel.yaml", echo("w", "direct:w", "w"));
            watcher.scan();
            assertNull(context.getRoute("w"), "a file is deployed only once it is unchanged for one scan");
            watcher.scan();
            assertNotNull(context.getRoute("w"));

            Files.delete(dir.resolve("w.camel.yaml"));
            watcher.scan();
            assertNull(context.getRoute("w"));
        } finally {
            watcher.close();
        }
    }

    private static String greeter(String greeting) {
        return """
                - routeTemplate:
                    id: greeter
                    parameters:
                      - name: name
                    route:
                      from:
                        uri: "direct:greet-{{name}}"
                        steps:
                          - setBody:
                              constant: "%s {{name}}"
                """.formatted(greeting);
    }

    @Test
    void routeTemplatesDeployAndTheirReloadIsAnnounced() throws Exception {
        List<java.util.Set<String>> announced = new java.util.ArrayList<>();
        deployer.onTemplatesChanged(announced::add);
        Path file = write("greeter.camel.yaml", greeter("hello"));
        assertEquals(List.of(), deployer.deployAll(List.of(file)));
        context.addRouteFromTemplate("greet-ann", "greeter", java.util.Map.of("name", "ann"));
        assertEquals("hello ann", call("direct:greet-ann"));
        assertTrue(announced.isEmpty(), "a first deployment has nothing to re-create");

        Files.writeString(file, greeter("hi"));
        assertTrue(deployer.deploy(file));
        assertEquals(List.of(java.util.Set.of("greeter")), announced);
        context.getRouteController().stopRoute("greet-ann");
        context.removeRoute("greet-ann");
        context.addRouteFromTemplate("greet-bob", "greeter", java.util.Map.of("name", "bob"));
        assertEquals("hi bob", call("direct:greet-bob"), "routes made after the reload use the new template");

        Files.writeString(file, "- routeTemplate:\n    parameters: []\n    route:\n      from:\n        uri: direct:x\n");
        assertThrows(RouteFileException.class, () -> deployer.deploy(file), "a template needs an id");
        deployer.undeploy(file);
        assertNull(context.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class)
                .getRouteTemplateDefinition("greeter"));
    }

    private static String security(String scope) {
        return "        security:\n          - key: bearer\n            scopes: " + scope;
    }

    private static String restFile(String security, String to) {
        return restFile(security, to, "api-requests");
    }

    private static String restFile(String security, String to, String configurations) {
        return """
                - rest:
                    path: /api/v1/things
                    get:
                      - path: /{id}
                        to: %s
                %s

                - route:
                    id: things-get
                    routeConfigurationId: %s
                    from:
                      uri: direct:things-get
                      steps:
                        - setBody:
                            constant: "a thing"
                """.formatted(to, security, configurations);
    }

    @Test
    void aRestOperationBecomesTheRouteItSendsToWithTheScopeItDeclares() throws Exception {
        Path file = write("things.camel.yaml", restFile(security("read"), "direct:things-get"));
        assertEquals(List.of("route things-get", "operation things-get (scope read)"), deployer.validate(file));
    }

    @Test
    void aRestOperationWithoutAScopeIsRefused() throws Exception {
        Path file = write("things.camel.yaml", restFile("", "direct:things-get"));
        RouteFileException e = assertThrows(RouteFileException.class, () -> deployer.validate(file));
        assertTrue(e.getMessage().contains("GET /api/v1/things/{id}: every REST operation declares the scope it needs"),
                e.getMessage());
        Path unknown = write("other.camel.yaml", restFile(security("everything"), "direct:things-get"));
        assertTrue(assertThrows(RouteFileException.class, () -> deployer.validate(unknown)).getMessage().contains("not 'everything'"));
    }

    @Test
    void aRestOperationWhoseRouteDoesNotAuthenticateIsRefused() throws Exception {
        Path file = write("things.camel.yaml", restFile(security("read"), "direct:things-get", "http-errors"));
        RouteFileException e = assertThrows(RouteFileException.class, () -> deployer.validate(file));
        assertTrue(e.getMessage().contains("route things-get must take routeConfigurationId api-requests"), e.getMessage());
    }

    @Test
    void aRestOperationMustSendToARouteOfItsFile() throws Exception {
        Path file = write("things.camel.yaml", restFile(security("read"), "direct:elsewhere"));
        RouteFileException e = assertThrows(RouteFileException.class, () -> deployer.validate(file));
        assertTrue(e.getMessage().contains("must send to direct:<id> of a route with that id in the same file"), e.getMessage());
    }

    @Test
    void theRouterIsNotGivenTheOperationsContentTypes() {
        assertEquals("rest:get:/api/v1/things?description=x",
                RestOperationRoutes.withoutContentNegotiation("rest:get:/api/v1/things?consumes=application%2Fjson&description=x&produces=application%2Fjson"));
        assertEquals("rest:get:/a", RestOperationRoutes.withoutContentNegotiation("rest:get:/a"));
    }
}
