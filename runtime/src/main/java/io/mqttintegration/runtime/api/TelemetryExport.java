package io.mqttintegration.runtime.api;

import io.mqttintegration.runtime.http.ApiException;
import io.mqttintegration.runtime.internals.ClosedResponses;
import io.mqttintegration.runtime.http.Fields;
import io.mqttintegration.storage.tenants.IntegrationStore;
import io.mqttintegration.storage.tenants.TelemetryStore;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.support.SynchronizationAdapter;

/**
 * {@code GET /api/v1/telemetry/export}: one integration's readings or messages received in
 * [from, to), oldest first, as CSV or NDJSON, streamed (scope read, the caller's organization). The
 * answer's body is an {@link ExportStream} over a server-side cursor; the cursor's connection and
 * transaction are released when the answer ends or fails (the exchange's completion) or when the
 * client closes the connection first (the Vert.x response's close handler).
 */
public final class TelemetryExport {

    /** Seconds a client is told to wait when every export slot is taken. */
    static final int RETRY_AFTER_SECONDS = 10;

    private final TelemetryStore store;
    private final IntegrationStore integrations;
    private final Vertx vertx;
    private final Semaphore running;

    /** @param atOnce exports that may run at once; each holds a database connection while it runs */
    public TelemetryExport(TelemetryStore store, IntegrationStore integrations, Vertx vertx, int atOnce) {
        this.store = store;
        this.integrations = integrations;
        this.vertx = vertx;
        this.running = new Semaphore(atOnce);
    }

    /** What is exported: readings (default) or messages. */
    enum What {
        READINGS, MESSAGES
    }

    /**
     * Route step: the export's stream as the answer's body, with its Content-Type and
     * Content-Disposition. The one API bean that takes the exchange: the stream's end is bound to the
     * exchange's completion and to the HTTP connection (see the class comment).
     */
    public void open(Exchange exchange) {
        Request r = exchange.getProperty(Request.PROPERTY, Request.class);
        UUID org = r.organization();
        String id = r.param("integrationId");
        if (id == null || id.isEmpty()) {
            throw new ApiException(400, "missing_parameter", "integrationId is required", "integrationId");
        }
        UUID integration = Fields.uuid(id, "integrationId");
        Instant from = required(TelemetryApi.time(r, "from"), "from");
        Instant to = required(TelemetryApi.time(r, "to"), "to");
        if (!to.isAfter(from)) {
            throw new ApiException(400, "invalid_parameter", "to must be after from", "to");
        }
        What what = what(r.param("what"));
        ExportLines.Format format = format(r.param("format"), exchange.getMessage().getHeader("Accept", String.class));
        String device = TelemetryApi.text(r, "deviceId");
        if (device != null && what == What.MESSAGES) {
            throw new ApiException(400, "invalid_parameter", "deviceId filters readings only (what=readings)", "deviceId");
        }
        if (integrations.get(org, integration).isEmpty()) {
            throw new ApiException(404, "not_found", "no such integration", "integrationId");
        }
        if (!running.tryAcquire()) {
            throw new ApiException(503, "exports_busy", "as many exports as this service runs at once are running; retry after "
                    + RETRY_AFTER_SECONDS + " s").retryAfter(RETRY_AFTER_SECONDS);
        }
        ExportStream<?> stream;
        try {
            stream = what == What.READINGS
                    ? ExportStream.of(store.exportReadings(org, integration, device, from, to), ExportLines.readings(format),
                            running::release)
                    : ExportStream.of(store.exportMessages(org, integration, from, to), ExportLines.messages(format),
                            running::release);
        } catch (RuntimeException e) {
            running.release();
            throw e;
        }
        // From here on the cursor holds a connection: every way the answer can end releases it.
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                if (Context.isOnEventLoopThread()) {
                    vertx.executeBlocking(() -> {
                        stream.close();
                        return null;
                    }, false);
                } else {
                    stream.close();
                }
            }
        });
        if (exchange.getIn() instanceof HttpMessage http) {
            HttpServerResponse response = http.getResponse();
            // Camel would end the chunked answer normally after a failed read: close the connection first.
            stream.onFailure(() -> http.getRequest().connection().close());
            response.closeHandler(v -> {
                // The client closed the connection before the end: the stream ends at its next read,
                // the cursor is released off the event loop, and Camel's pump is let go on.
                stream.stop();
                vertx.executeBlocking(() -> {
                    stream.abort();
                    return null;
                }, false);
                ClosedResponses.unblock(response);
            });
            if (response.closed()) {
                // gone while the query ran: the close handler came too late to be called
                stream.stop();
            }
        }
        Message m = exchange.getMessage();
        m.setBody(stream);
        m.setHeader(Exchange.CONTENT_TYPE, format.contentType);
        m.setHeader("Content-Disposition", "attachment; filename=\"" + what.name().toLowerCase(Locale.ROOT) + "-" + integration
                + "." + format.extension + "\"");
    }

    /**
     * The format: {@code format=csv|ndjson} when given; else NDJSON when the Accept header names
     * application/x-ndjson and not text/csv; else CSV.
     */
    static ExportLines.Format format(String param, String accept) {
        if (param != null && !param.isEmpty()) {
            return switch (param) {
                case "csv" -> ExportLines.Format.CSV;
                case "ndjson" -> ExportLines.Format.NDJSON;
                default -> throw new ApiException(400, "invalid_parameter", "format must be csv or ndjson", "format");
            };
        }
        String a = accept == null ? "" : accept.toLowerCase(Locale.ROOT);
        return a.contains("application/x-ndjson") && !a.contains("text/csv") ? ExportLines.Format.NDJSON : ExportLines.Format.CSV;
    }

    static What what(String param) {
        if (param == null || param.isEmpty() || param.equals("readings")) {
            return What.READINGS;
        }
        if (param.equals("messages")) {
            return What.MESSAGES;
        }
        throw new ApiException(400, "invalid_parameter", "what must be readings or messages", "what");
    }

    private static Instant required(Instant value, String name) {
        if (value == null) {
            throw new ApiException(400, "missing_parameter", name + " is required (ISO-8601 with offset)", name);
        }
        return value;
    }
}
