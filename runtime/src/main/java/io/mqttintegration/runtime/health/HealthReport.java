package io.mqttintegration.runtime.health;

import io.mqttintegration.runtime.ingest.IngestQueue;
import io.mqttintegration.runtime.ingest.MessageParsing;
import io.mqttintegration.runtime.routes.RouteFileDeployer;
import io.mqttintegration.storage.DeadLetterStore;
import io.mqttintegration.storage.MessageWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;

/**
 * {@code GET /health}: the database, the ingestion queue, every route and its state, and the
 * pipeline counters, and route files that were refused, for the operator (property {@link #DETAILS});
 * anyone else gets only the status. 200 when the database answers and every running route is
 * started (or being stopped, replaced or added on purpose); else 503. A refused route file is reported but does not turn health
 * down: the routes that run are fine, and a load balancer should not drop the instance for a typo.
 */
public final class HealthReport {

    /** Exchange property: true when the caller sent the operator key (set by the route); else only the status. */
    public static final String DETAILS = "mqiHealthDetails";

    private final CamelContext camelContext;
    private final DataSource dataSource;
    private final IngestQueue queue;
    private final MessageParsing parsing;
    private final MessageWriter writer;
    private final DeadLetterStore deadLetters;
    private final RouteFileDeployer deployer;

    public HealthReport(CamelContext camelContext, DataSource dataSource, IngestQueue queue, MessageParsing parsing,
            MessageWriter writer, DeadLetterStore deadLetters, RouteFileDeployer deployer) {
        this.camelContext = camelContext;
        this.dataSource = dataSource;
        this.queue = queue;
        this.parsing = parsing;
        this.writer = writer;
        this.deadLetters = deadLetters;
        this.deployer = deployer;
    }

    public Map<String, Object> report(Exchange exchange) {
        Map<String, Object> database = database();
        List<Map<String, Object>> routes = routes();
        boolean healthy = "up".equals(database.get("status")) && routes.stream().allMatch(HealthReport::routeHealthy);

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("status", healthy ? "up" : "down");
        report.put("database", database);
        report.put("queue", Map.of("depth", queue.depth(), "capacity", queue.capacity()));
        report.put("routes", routes);
        report.put("rejectedRouteFiles", deployer.rejectedFiles());
        Map<String, Object> counters = new LinkedHashMap<>();
        counters.put("parsed", parsing.parsed());
        counters.put("parseFailed", parsing.failed());
        counters.put("stored", writer.storedMessages());
        counters.put("storeFailed", writer.failedMessages());
        counters.put("deadLettered", deadLetters.kept());
        counters.put("deadLettersLost", deadLetters.lost());
        counters.put("lastBatchSize", writer.lastBatchSize());
        counters.put("lastCommitMillis", writer.lastCommitMillis());
        report.put("messages", counters);

        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, healthy ? 200 : 503);
        return Boolean.TRUE.equals(exchange.getProperty(DETAILS, Boolean.class)) ? report : Map.of("status", report.get("status"));
    }

    private Map<String, Object> database() {
        Map<String, Object> db = new LinkedHashMap<>();
        long start = System.nanoTime();
        try (Connection c = dataSource.getConnection()) {
            boolean valid = c.isValid(2);
            db.put("status", valid ? "up" : "down");
        } catch (SQLException e) {
            db.put("status", "down");
            db.put("error", e.getMessage());
        }
        db.put("latencyMs", (System.nanoTime() - start) / 1_000_000);
        return db;
    }

    /**
     * Every route listed, with its state. A route the service is stopping, replacing or adding on
     * purpose (a subscription stopped or restarted, a route file reloaded: see RouteTransitions) is
     * marked {@code "transition": true} and does not turn health down; nor does one removed between
     * listing and asking its state (it is left out).
     */
    private List<Map<String, Object>> routes() {
        List<Map<String, Object>> routes = new ArrayList<>();
        for (Route route : camelContext.getRoutes()) {
            ServiceStatus status = camelContext.getRouteController().getRouteStatus(route.getRouteId());
            boolean transition = deployer.transitions().inTransition(route.getRouteId());
            if (status != null && status != ServiceStatus.Started && !transition) {
                // not marked (any more): a transition may have ended between the two reads
                status = camelContext.getRouteController().getRouteStatus(route.getRouteId());
            }
            if (status == null) {
                continue; // removed meanwhile
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", route.getRouteId());
            r.put("state", status.name());
            r.put("source", route.getSourceLocationShort());
            if (transition && status != ServiceStatus.Started) {
                r.put("transition", true);
            }
            routes.add(r);
        }
        return routes;
    }

    private static boolean routeHealthy(Map<String, Object> route) {
        return ServiceStatus.Started.name().equals(route.get("state")) || Boolean.TRUE.equals(route.get("transition"));
    }
}
